import os

import pytest

from assistant.settings import Settings, settings_table
from conftest import ROOT


def test_readme_settings_table_matches_the_settings_object():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- settings-table:start -->") + len("<!-- settings-table:start -->")
    end = readme.index("<!-- settings-table:end -->")
    assert readme[start:end].strip() == settings_table()


def test_every_setting_is_documented():
    assert all(field.description for field in Settings.model_fields.values())


def test_precedence_is_defaults_then_file_then_environment_then_flags(tmp_path, monkeypatch):
    config = tmp_path / "assistant.toml"
    config.write_text('top_k = 7\nthreads = 2\nmax_new_tokens = 50\n')
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    monkeypatch.setenv("ASSISTANT_THREADS", "3")
    settings = Settings(max_new_tokens=99)
    assert (settings.top_k, settings.threads, settings.max_new_tokens) == (7, 3, 99)
    assert Settings().evidence_sentences == 6  # untouched default


def test_unknown_setting_in_the_config_file_is_an_error(tmp_path, monkeypatch):
    config = tmp_path / "assistant.toml"
    config.write_text("no_such_setting = 1\n")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    with pytest.raises(Exception, match="no_such_setting"):
        Settings()


def test_offline_environment_is_set_unless_network_is_allowed(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    Settings(allow_network=True).apply_environment()
    assert "HF_HUB_OFFLINE" not in os.environ
    Settings().apply_environment()
    assert os.environ["HF_HUB_OFFLINE"] == "1"
