"""`chroma_url` is a setting like the others: from the config file, ASSISTANT_CHROMA_URL or
--chroma-url (flag > environment > file), and a bad value is a one-line error. The commands
against a real `chroma run` are in tests/test_store_server.py."""

from __future__ import annotations

import json

from conftest import free_port

from assistant.store import chroma


def _source(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"title": "A Study of LoRA", "abstract": "We study LoRA."}) + "\n")
    return path


def _unreachable() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there


def test_chroma_url_from_the_config_file_opens_the_server(tmp_path, run_cli, monkeypatch):
    url = _unreachable()
    config = tmp_path / "assistant.toml"
    config.write_text(f'chroma_url = "{url}"\n')
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    code, _, err = run_cli("ingest", str(_source(tmp_path)))
    assert code == 1 and err == f"error: cannot reach the Chroma server at {url}: " + err.split(": ", 2)[2]
    assert err.count("\n") == 1 and not list((tmp_path / "store").glob("chroma*"))


def test_chroma_url_flag_wins_over_the_environment(tmp_path, run_cli, monkeypatch):
    url = _unreachable()
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "http://127.0.0.1:9")
    code, _, err = run_cli("--chroma-url", url, "ingest", str(_source(tmp_path)))
    assert code == 1 and err.startswith(f"error: cannot reach the Chroma server at {url}:")


def test_an_empty_chroma_url_flag_keeps_the_index_on_disk(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", _unreachable())
    code, out, err = run_cli("--chroma-url", "", "ingest", str(_source(tmp_path)))
    assert (code, out.split(",")[0]) == (0, "added 1"), err
    assert (tmp_path / "store" / "chroma").is_dir() and chroma.server_url() is None


def test_a_malformed_chroma_url_is_a_one_line_settings_error(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "127.0.0.1:8000")  # no scheme
    code, _, err = run_cli("stats")
    assert code == 1 and err.startswith("error: invalid settings: chroma_url:")
    assert err.count("\n") == 1
