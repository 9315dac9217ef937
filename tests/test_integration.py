"""The real shipped models on the real sample corpus, through the real CLI entry point."""

import json
import os
import subprocess
import sys

import pytest

from assistant.environment import offline_environment
from assistant.settings import Settings
from conftest import ROOT, SAMPLE

pytestmark = pytest.mark.slow


def _cli(*args, store, cache=None, check=True, timeout=600):
    env = offline_environment({**os.environ, "ASSISTANT_STORE": str(store)})
    if cache:
        env["ASSISTANT_MODEL_CACHE"] = str(cache)
    result = subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr[-2000:]}")
    return result


def test_sample_corpus_gives_548_papers(sample_store):
    stats = json.loads(_cli("stats", "--json", store=sample_store).stdout)
    assert stats["papers"] == 548 and stats["chunks"] > 548
    assert stats["embedder"] == "all-MiniLM-L6-v2" and stats["dimension"] == 384


def test_reingest_of_the_sample_corpus_embeds_nothing(sample_store):
    report = json.loads(_cli("ingest", str(SAMPLE), "--json", store=sample_store).stdout)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 548)
    assert report["chunks_embedded"] == 0 and report["duplicates"] == 105


def test_question_naming_tinyclip_ranks_it_first(sample_store):
    results = json.loads(_cli("search", "What does TinyCLIP distil?", "--json", store=sample_store).stdout)
    assert results["results"][0]["title"].startswith("TinyCLIP")


def test_question_describing_tinyclip_without_its_name_finds_it(sample_store):
    query = ("small CLIP model compressed by cross-modal distillation with affinity mimicking "
             "and inherited weights")
    results = json.loads(_cli("search", query, "--k", "5", "--json", store=sample_store).stdout)
    assert any(r["title"].startswith("TinyCLIP") for r in results["results"])


def test_ask_json_cites_a_retrieved_paper(sample_store, model_cache):
    result = _cli("ask", "What does TinyCLIP distil?", "--json", store=sample_store,
                  cache=model_cache)
    answer = json.loads(result.stdout)
    assert not answer["abstained"] and answer["citations"]
    assert {c["title"] for c in answer["citations"]} <= set(answer["retrieved"])
    cited = [c["title"] for c in answer["citations"]]
    assert any(t.startswith("TinyCLIP") for t in cited), json.dumps(answer, indent=1)
    threshold = Settings().support_threshold
    shown = [s for s in answer["sentences"] if s["action"] != "dropped"]
    written = [s for s in shown if s["action"] in ("kept", "recited")]
    assert all(s["supported"] is True and s["support"] >= threshold for s in written), answer["sentences"]
    # quoted sentences are the source's own words: not judged, so no score
    assert all(s["supported"] is None and s["support"] is None for s in shown
               if s["action"] in ("replaced", "extracted"))
    assert all(not s["text"] for s in answer["sentences"] if s["action"] == "dropped")


def test_question_outside_the_corpus_abstains(sample_store, model_cache):
    answer = json.loads(_cli("ask", "What is the best recipe for sourdough bread?", "--json",
                             store=sample_store, cache=model_cache).stdout)
    assert answer["abstained"] and answer["citations"] == []


def test_empty_question_is_a_one_line_error(sample_store):
    result = _cli("ask", "   ", store=sample_store, check=False)
    assert result.returncode != 0
    assert result.stderr.strip().startswith("error: empty question")
    assert len(result.stderr.strip().splitlines()) == 1


def test_other_embedder_on_the_sample_store_names_reindex(sample_store, tmp_path):
    missing = tmp_path / "no-such-model"
    result = _cli("--embedder", str(missing), "search", "x", store=sample_store, check=False)
    assert result.returncode == 1 and str(missing) in result.stderr


def test_ingest_if_empty_does_nothing_on_a_store_with_papers(sample_store):
    result = _cli("ingest", "--if-empty", str(SAMPLE), store=sample_store)
    assert "nothing to do" in result.stderr


def test_stats_of_a_store_that_does_not_exist_is_an_error_and_creates_nothing(tmp_path):
    result = _cli("stats", "--json", store=tmp_path / "new", check=False)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == f"error: store {tmp_path / 'new'} does not exist (ingest papers into it first)"
    assert not (tmp_path / "new").exists()
