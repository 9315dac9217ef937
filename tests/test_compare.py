"""Comparisons: paper resolution, per-paper cells, the checked paragraph and missing papers (fakes)."""

import csv
import io
import json

import pytest

from assistant.citations import find_markers
from assistant.export import comparison_csv
from assistant.markdown import comparison_markdown
from assistant.phrasing import contrast_share
from assistant.schema import SentenceCheck

import numpy as np

import assistant.cells as cells_module
from assistant.cells import _assign, without_names
from assistant.compare import CompareSettings, compare, table_cells
from assistant.models.judges import EvidenceJudge
from assistant.prompts import load_prompt
from assistant.resolve import PaperResolver, is_comparative
from assistant.schema import ONE_PAPER, Reason
from assistant.wording import answer_text, missing_message
from assistant.schema import Paper, Passage, Chunk
from assistant.reports import NOT_STATED_CELL
from conftest import ScriptedGenerator

TINYCLIP = Paper("p1", "TinyCLIP: CLIP Distillation via Affinity Mimicking and Weight Inheritance",
                 "Existing CLIP models are expensive to deploy on devices. We propose TinyCLIP, a "
                 "cross-modal distillation method with affinity mimicking and weight inheritance. "
                 "TinyCLIP trained on YFCC-15M reaches 41.1% zero-shot accuracy on ImageNet.")
TINYVIT = Paper("p2", "TinyViT: Fast Pretraining Distillation for Small Vision Transformers",
                "Vision transformers suffer from a huge number of parameters. We propose TinyViT, "
                "which applies distillation during pretraining with sparsified teacher logits. "
                "TinyViT achieves 84.8% top-1 accuracy on ImageNet-1k with 21M parameters.")
LORA_PLUS = Paper("p3", "LoRA+: Efficient Low Rank Adaptation of Large Models",
                  "We propose LoRA+, which sets different learning rates for the adapter matrices.")
TITLES = {p.paper_id: p.title for p in (TINYCLIP, TINYVIT, LORA_PLUS)}
VOCABULARY = frozenset("tinyclip tinyvit lora clip distillation vision transformers".split())


def _resolver(search_results=()):
    def named_in(text):
        lowered = text.lower()
        return {pid for pid, name in (("p1", "tinyclip"), ("p2", "tinyvit")) if name in lowered}

    return PaperResolver(TITLES, named_in, VOCABULARY, lambda query, k: list(search_results)[:k])


@pytest.mark.parametrize("name, expected", [
    ("p2", "p2"),  # a paper id
    ("TinyCLIP", "p1"),  # an acronym the name index knows
    ("TinyCLP", "p1"),  # misspelt: rapidfuzz on the part before the title's colon
    ("LoRA+", "p3"),  # written as the title writes it
    ("LoRA", None),  # "lora" is not "lora+": the original LoRA paper is not in this corpus
    ("FooNet", None),
    ("tinyvit: fast pretraining distillation for small vision transformers", "p2"),
])
def test_resolve_names(name, expected):
    assert _resolver().resolve(name) == expected


def _passage(paper_id, similarity):
    return Passage(Chunk(f"{paper_id}#0", paper_id, TITLES[paper_id], "text", 0, 4), 0.1, similarity)


def test_description_resolves_only_with_a_clear_lead():
    description = "the paper that distils CLIP by mimicking affinities"
    clear = _resolver([_passage("p1", 0.55), _passage("p2", 0.40)])
    close = _resolver([_passage("p1", 0.55), _passage("p2", 0.52)])
    assert clear.resolve(description) == "p1"
    assert close.resolve(description) is None


def test_question_names_papers_in_order_and_reports_coined_names_the_corpus_lacks():
    resolution = _resolver().in_question("How does TinyViT compare with FooNet and TinyCLIP on CLIP?")
    assert resolution.paper_ids == ["p2", "p1"]
    assert resolution.missing == ["FooNet"]  # CLIP is a word of the corpus: a concept, not missing


def test_comparative_questions_are_recognised():
    assert is_comparative("How does TinyCLIP differ from TinyViT?", 2)
    assert is_comparative("Compare LoRA-style methods for trackers", 0)
    assert is_comparative("How do TinyCLIP and TinyViT use distillation?", 2)
    assert not is_comparative("What does TinyCLIP distil?", 1)


def test_missing_message():
    assert missing_message(["FooNet"]) == "FooNet is not in the corpus."
    assert missing_message(["A", "B"]) == "A and B are not in the corpus."


def test_question_focus_drops_the_compared_names():
    focus = without_names("How do TinyCLIP and TinyViT use distillation?", [TINYCLIP, TINYVIT])
    assert focus == "How do and use distillation?"


def test_every_cell_quotes_its_own_papers_abstract(fake_embedder):
    rows, cells = table_cells("How do they use distillation?", [TINYCLIP, TINYVIT], fake_embedder)
    assert rows[0] == "on the question" and "results" in rows
    for cell in cells:
        if cell.evidence:
            paper = TINYCLIP if cell.paper_id == "p1" else TINYVIT
            assert cell.evidence.paper_id == paper.paper_id
            assert paper.abstract[cell.evidence.start:cell.evidence.end] == cell.text
    markers = [c.marker for c in cells if c.marker]
    assert sorted(markers) == list(range(1, len(markers) + 1))


def test_a_row_the_abstract_does_not_state_says_so(fake_embedder):
    _, cells = table_cells(None, [LORA_PLUS], fake_embedder)
    by_row = {c.row: c for c in cells}
    assert by_row["key idea"].evidence is not None
    assert by_row["data / scale"].text == NOT_STATED_CELL and by_row["data / scale"].marker is None


def _compare(reply, fake_embedder):
    generator = ScriptedGenerator(reply)
    comparison = compare("How do TinyCLIP and TinyViT use distillation?", [TINYCLIP, TINYVIT], [],
                         fake_embedder, generator, EvidenceJudge(fake_embedder, 0.5),
                         load_prompt("compare"), CompareSettings())
    return comparison, generator


def test_paragraph_sentences_are_checked_and_citations_cover_the_table(fake_embedder):
    reply = ("TinyViT applies distillation during pretraining with sparsified teacher logits [4]. "
             "TinyCLIP was trained on 900 GPUs [1].")
    comparison, generator = _compare(reply, fake_embedder)
    shown = [s for s in comparison.answer.sentences if s.shown]
    assert any("sparsified teacher logits" in s.text for s in shown)
    assert "900" not in comparison.answer.text  # the number is in no source: not shown
    cited = {c.paper_id for c in comparison.answer.citations}
    assert cited == {"p1", "p2"}  # the table cites both papers
    prompt = generator.calls[0][1]["content"]
    assert "Paper: TinyCLIP" in prompt and "Paper: TinyViT" in prompt


def test_a_paragraph_sentence_without_a_verb_is_not_shown(fake_embedder):
    reply = ("TinyCLIP cross-modal distillation affinity mimicking whereas TinyViT distillation "
             "pretraining teacher logits [1][6]. TinyCLIP is a cross-modal distillation method with "
             "affinity mimicking, whereas TinyViT applies distillation during pretraining with "
             "sparsified teacher logits [1][6].")
    comparison, _ = _compare(reply, fake_embedder)
    actions = [s.action for s in comparison.answer.sentences]
    assert actions == ["dropped", "kept"]  # the words-only contrast goes, the sentence stays
    assert "mimicking whereas" not in comparison.answer.text


def test_paragraph_falls_back_to_a_templated_contrast_when_the_model_fails(fake_embedder):
    comparison, _ = _compare("Cats are lovely animals to keep at home [1].", fake_embedder)
    shown = [s for s in comparison.answer.sentences if s.shown]
    assert {s.action for s in shown} == {"templated"}
    assert all(s.supported is None for s in shown)  # never presented as model-checked
    assert {c.paper_id for c in comparison.answer.citations} == {"p1", "p2"}


def test_cli_compare_with_a_missing_paper_exits_non_zero_naming_it(run_cli, tmp_path):
    listing = tmp_path / "papers.jsonl"
    listing.write_text("\n".join(json.dumps({"title": p.title, "abstract": p.abstract})
                                 for p in (TINYCLIP, TINYVIT)), encoding="utf-8")
    assert run_cli("ingest", str(listing))[0] == 0
    code, out, err = run_cli("compare", "-p", "TinyCLIP", "-p", "FooNet", "--json")
    assert code == 1
    result = json.loads(out)
    assert result["kind"] == "comparison"
    assert result["missing"] == ["FooNet"] and result["abstained"] and result["citations"] == []
    assert [p["title"] for p in result["papers"]] == [TINYCLIP.title]
    assert err.strip() == ("error: 'FooNet' is not in the corpus "
                           "(no title, acronym or description matches it)")


@pytest.mark.parametrize("args, message", [
    (["compare", "-p", "TinyCLIP"], "give 2 to 4 papers with --paper, not 1"),
    (["compare", "   "], "empty question"),
])
def test_cli_compare_bad_input_is_one_line(run_cli, args, message):
    code, _, err = run_cli(*args)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1


def test_resolver_is_rebuilt_after_the_store_changes(tmp_path, fake_embedder, make_store):
    from assistant.app import Assistant
    from assistant.settings import Settings

    listing = tmp_path / "a.jsonl"
    listing.write_text(json.dumps({"title": TINYCLIP.title, "abstract": TINYCLIP.abstract}))
    assistant = Assistant(Settings(store=tmp_path / "s"), make_store(tmp_path / "s", fake_embedder),
                          fake_embedder, generator=ScriptedGenerator(""))
    assistant.ingest([listing])
    first = assistant.resolver()
    assert assistant.resolver() is first and first.resolve("TinyViT") is None
    listing.write_text(json.dumps({"title": TINYVIT.title, "abstract": TINYVIT.abstract}))
    assistant.ingest([listing])
    assert assistant.resolver().resolve("TinyViT") is not None


def test_compare_question_matching_one_paper_names_it(tmp_path, fake_embedder, make_store):
    from assistant.app import Assistant
    from assistant.settings import Settings

    listing = tmp_path / "a.jsonl"
    listing.write_text(json.dumps({"title": TINYCLIP.title, "abstract": TINYCLIP.abstract}))
    generator = ScriptedGenerator("")
    assistant = Assistant(Settings(store=tmp_path / "s", min_relevance=0.1),
                          make_store(tmp_path / "s", fake_embedder), fake_embedder, generator=generator)
    assistant.ingest([listing])
    comparison = assistant.compare("Compare CLIP distillation methods with affinity mimicking")
    assert comparison.answer.abstained and generator.calls == []
    assert comparison.answer.reason == Reason(ONE_PAPER, (TINYCLIP.title,))
    assert answer_text(comparison.answer) == (f"Only one paper in the corpus matches this question "
                                      f"({TINYCLIP.title}): there is nothing to compare it with.")


def test_a_coined_word_of_a_named_title_does_not_name_another_paper():
    from assistant.retrieval import NameIndex

    titles = {"v1": "VideoMAE: Masked Autoencoders are Data-Efficient Learners for Self-Supervised "
                    "Video Pre-Training",
              "v2": "VideoMAE V2: Scaling Video Masked Autoencoders with Dual Masking"}
    resolver = PaperResolver(titles, NameIndex(titles).named_in, frozenset(), lambda q, k: [])
    assert resolver.in_question("What masking does VideoMAE V2 introduce?").paper_ids == ["v2"]


def test_a_paragraph_that_only_restates_each_paper_is_replaced_by_a_contrast_of_the_cells(fake_embedder):
    reply = ("TinyCLIP is a cross-modal distillation method with affinity mimicking [1]. "
             "TinyViT applies distillation during pretraining with sparsified teacher logits [4].")
    comparison, _ = _compare(reply, fake_embedder)
    shown = [s for s in comparison.answer.sentences if s.shown]
    assert [s.action for s in shown] == ["templated"]
    sentence = shown[0]
    by_marker = {e.marker: e for e in comparison.answer.evidence}
    assert {by_marker[m].paper_id for m in sentence.markers} == {"p1", "p2"}
    assert "whereas" in sentence.text
    for marker in sentence.markers:  # built from the cells' real text
        assert by_marker[marker].text.rstrip(".").split(", ")[-1] in sentence.text
    assert "templated from the table's cells" in comparison_markdown(comparison)


def test_a_paragraph_that_contrasts_is_kept_as_the_model_wrote_it(fake_embedder):
    _, cells = table_cells("How do TinyCLIP and TinyViT use distillation?", [TINYCLIP, TINYVIT], fake_embedder)
    first, second = (next(c.marker for c in cells if c.paper_id == pid and "distillation" in c.text)
                     for pid in ("p1", "p2"))
    reply = (f"TinyCLIP is a cross-modal distillation method with affinity mimicking and weight "
             f"inheritance [{first}], whereas TinyViT applies distillation during pretraining with "
             f"sparsified teacher logits [{second}].")
    comparison, _ = _compare(reply, fake_embedder)
    shown = [s for s in comparison.answer.sentences if s.shown]
    assert shown and all(s.action in ("kept", "recited") for s in shown)
    assert "templated" not in comparison_markdown(comparison)


def _check(text, action="kept"):
    return SentenceCheck(text, text, tuple(find_markers(text)), 1.0, True, action)


def test_contrast_share_counts_sentences_citing_two_papers_or_contrasting():
    papers = {1: "p1", 2: "p1", 4: "p2"}
    sentences = [_check("TinyCLIP mimics affinities [1][4]."), _check("Unlike TinyCLIP, TinyViT stores logits [4]."),
                 _check("TinyCLIP inherits weights [1][2]."), _check("Dropped words here.", "dropped")]
    assert contrast_share(sentences, papers) == pytest.approx(2 / 3)
    assert contrast_share([], papers) == 0.0


def test_user_named_aspects_add_rows_answered_from_each_abstract(fake_embedder, monkeypatch):
    monkeypatch.setattr(cells_module, "ASPECT_THRESHOLD", 0.05)  # calibrated for MiniLM, not the fake
    rows, cells = table_cells(None, [TINYCLIP, TINYVIT], fake_embedder, aspects=["trained on", " "])
    assert rows[0] == "trained on" and rows.count("trained on") == 1
    cell = next(c for c in cells if c.row == "trained on" and c.paper_id == "p1")
    assert "YFCC-15M" in cell.text


def test_rows_share_a_sentence_only_when_no_other_clears_their_threshold():
    scores = np.asarray([[0.9, 0.5, 0.1],   # row 0: sentence 0
                         [0.8, 0.6, 0.1],   # row 1: also best on 0, but 1 clears its threshold
                         [0.7, 0.1, 0.1],   # row 2: only 0 bears on it -> shares it
                         [0.2, 0.2, 0.2]])  # row 3: nothing clears 0.4 -> not stated
    assert _assign(scores, np.full(4, 0.4), range(4), set()) == {0: 0, 1: 1, 2: 0}


def test_comparison_csv_has_a_row_an_aspect_and_a_column_a_paper(fake_embedder):
    comparison, _ = _compare("Anything.", fake_embedder)
    table = list(csv.reader(io.StringIO(comparison_csv(comparison))))
    assert table[0] == ["aspect", TINYCLIP.title, TINYVIT.title]
    assert [row[0] for row in table[1:]] == comparison.rows
    data = next(row for row in table if row[0] == "data / scale")
    assert "YFCC-15M" in data[1] and data[1].endswith("]")


def test_cli_compare_exports_csv_with_extra_aspects(run_cli, tmp_path):
    listing = tmp_path / "papers.jsonl"
    listing.write_text("\n".join(json.dumps({"title": p.title, "abstract": p.abstract})
                                 for p in (TINYCLIP, TINYVIT)), encoding="utf-8")
    assert run_cli("ingest", str(listing))[0] == 0
    target = tmp_path / "out" / "table.csv"
    code, out, _ = run_cli("compare", "-p", "TinyCLIP", "-p", "TinyViT", "--aspect", "training data",
                           "--format", "csv", "--csv", str(target))
    assert code == 0
    assert out.startswith("aspect,") and "training data" in out
    assert target.read_text(encoding="utf-8") == out.rstrip("\n") + "\n"
    code, _, err = run_cli("compare", "-p", "TinyCLIP", "-p", "TinyViT", "--format", "html")
    assert code == 1 and "--format 'html' is not md or csv" in err
