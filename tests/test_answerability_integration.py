"""Answerability on the real sample corpus with the real embedder, through the real CLI: an asked
aspect the abstracts never state is named, one they state is answered."""

import json
import os
import subprocess
import sys

import pytest

from assistant.environment import offline_environment
from conftest import ROOT

pytestmark = pytest.mark.slow


def _ask(question, *flags, store):
    env = offline_environment({**os.environ, "ASSISTANT_STORE": str(store)})
    result = subprocess.run([sys.executable, "-m", "assistant", "ask", question, *flags], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_an_unstated_aspect_of_a_corpus_paper_is_named_not_answered(sample_store):
    # FlexPredict's abstract is retrieved and on the topic (masked image modelling), but never
    # states a learning-rate schedule
    out = _ask("What learning-rate schedule is used to pre-train FlexPredict?", store=sample_store)
    assert out.strip() == "The abstracts do not state the learning-rate schedule of FlexPredict."


def test_a_stated_aspect_is_answered_with_the_sentence_that_states_it(sample_store):
    answer = json.loads(_ask("What tokenizer does SecureBERT use?", "--json", store=sample_store))
    assert not answer["abstained"] and answer["reason"] is None
    assert "customized tokenizer" in answer["text"]
