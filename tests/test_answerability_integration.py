"""Answerability on the real sample corpus with the real embedder, through the CLI's entry point
(in-process, the session's embedder): an asked aspect the abstracts never state is named, one they
state is answered with the sentence that states it."""

import json

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture
def ask(sample_store, real_embedder, monkeypatch, capsys):
    from assistant import app as app_module, cli

    monkeypatch.setenv("ASSISTANT_STORE", str(sample_store))
    monkeypatch.setenv("ASSISTANT_CONFIG", "")  # empty: no config file
    monkeypatch.setattr(app_module, "build_embedder", lambda settings: real_embedder)
    monkeypatch.setattr(cli.common, "OVERRIDES", {})

    def run(*args: str) -> str:
        monkeypatch.setattr("sys.argv", ["assistant", "ask", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            cli.run()
        out, err = capsys.readouterr()
        assert (exited.value.code or 0) == 0, err
        return out

    return run


def test_an_unstated_aspect_of_a_corpus_paper_is_named_not_answered(ask):
    # FlexPredict's abstract is retrieved and on the topic (masked image modelling), but never
    # states a learning-rate schedule
    out = ask("What learning-rate schedule is used to pre-train FlexPredict?")
    assert out.strip() == "The abstracts do not state the learning-rate schedule of FlexPredict."


def test_a_stated_aspect_is_answered_with_the_sentence_that_states_it(ask):
    answer = json.loads(ask("What tokenizer does SecureBERT use?", "--json"))
    assert not answer["abstained"] and answer["reason"] is None
    assert "customized tokenizer" in answer["answer"]
    assert answer["citations"][0]["title"].startswith("SecureBERT")
