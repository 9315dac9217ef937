"""Comparisons: paper resolution, per-paper cells, the checked paragraph and missing papers (fakes)."""

import json

import pytest

from assistant.compare import (
    CompareSettings, compare, table_cells, without_names,
)
from assistant.models.judges import EvidenceJudge
from assistant.prompts import load_prompt
from assistant.resolve import PaperResolver, is_comparative
from assistant.schema import ONE_PAPER, Reason
from assistant.wording import answer_text, missing_message
from assistant.schema import NOT_STATED, Paper, Passage, Chunk
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
    rows, cells = table_cells("How do they use distillation?", [TINYCLIP, TINYVIT], fake_embedder, 0.1)
    assert rows[0] == "on the question" and "results" in rows
    for cell in cells:
        if cell.evidence:
            paper = TINYCLIP if cell.paper_id == "p1" else TINYVIT
            assert cell.evidence.paper_id == paper.paper_id
            assert paper.abstract[cell.evidence.start:cell.evidence.end] == cell.text
    markers = [c.marker for c in cells if c.marker]
    assert sorted(markers) == list(range(1, len(markers) + 1))


def test_a_row_the_abstract_does_not_state_says_so(fake_embedder):
    _, cells = table_cells(None, [LORA_PLUS], fake_embedder, 0.1)
    by_row = {c.row: c for c in cells}
    assert by_row["key idea"].evidence is not None
    assert by_row["data / scale"].text == NOT_STATED and by_row["data / scale"].marker is None


def _compare(reply, fake_embedder):
    generator = ScriptedGenerator(reply)
    comparison = compare("How do TinyCLIP and TinyViT use distillation?", [TINYCLIP, TINYVIT], [],
                         fake_embedder, generator, EvidenceJudge(fake_embedder, 0.5),
                         load_prompt("compare"), CompareSettings(min_evidence=0.1))
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


def test_paragraph_falls_back_to_each_papers_sentence_when_the_model_fails(fake_embedder):
    comparison, _ = _compare("Cats are lovely animals to keep at home [1].", fake_embedder)
    actions = {s.action for s in comparison.answer.sentences if s.shown}
    assert actions == {"extracted"}
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
