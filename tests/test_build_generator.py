"""Backend choice in one place: endpoint URL, GGUF path or installed model, packaged SmolLM2 by setting, else transformers."""

from __future__ import annotations

import pytest

from assistant import app
from assistant.models import build_generator, generators, gguf_path, install, llama_cpp
from assistant.models.endpoint import EndpointGenerator
from assistant.models.llama_cpp import LlamaCppGenerator
from assistant.schema import AssistantError
from assistant.settings import Settings

PACKAGED_GGUF = generators._packaged_gguf_folder() / generators.PACKAGED_GGUF_FILE


def test_a_generator_url_selects_the_endpoint_and_app_delegates_here(tmp_path):
    settings = Settings(store=tmp_path, generator_url="http://127.0.0.1:9/v1", generator_model="served-name")
    generator = app.build_generator(settings)
    assert isinstance(generator, EndpointGenerator) and generator.model == "served-name"
    assert build_generator(Settings(store=tmp_path, generator_url="http://127.0.0.1:9/v1")).model == settings.generator


def test_a_gguf_path_runs_on_llama_cpp(tmp_path):
    generator = build_generator(Settings(store=tmp_path, generator=str(PACKAGED_GGUF), max_new_tokens=3))
    assert isinstance(generator, LlamaCppGenerator) and generator.path == PACKAGED_GGUF


@pytest.mark.parametrize("backend, available, expected", [
    ("transformers", True, None), ("llama.cpp", True, PACKAGED_GGUF),
    ("auto", True, PACKAGED_GGUF), ("auto", False, None),
])
def test_the_packaged_model_follows_generator_backend(backend, available, expected, tmp_path, monkeypatch):
    monkeypatch.setattr(llama_cpp, "llama_cpp_available", lambda: available)
    settings = Settings(store=tmp_path, generator="SmolLM2-135M-Instruct", generator_backend=backend)
    assert gguf_path(settings) == expected


def test_the_packaged_model_stays_on_transformers_by_default(tmp_path):
    settings = Settings(store=tmp_path, generator="SmolLM2-135M-Instruct")
    assert settings.generator_backend == "transformers" and gguf_path(settings) is None


def test_the_default_is_the_extractive_answer_with_no_model(tmp_path):
    from assistant.models.generators import ExtractiveGenerator

    generator = build_generator(Settings(store=tmp_path))
    assert isinstance(generator, ExtractiveGenerator) and list(generator.stream([])) == []
    assert gguf_path(Settings(store=tmp_path, generator="HuggingFaceTB/SmolLM2-360M-Instruct")) is None


def test_an_installed_registry_model_runs_from_its_verified_file(tmp_path, monkeypatch):
    model = install.REGISTRY["qwen2.5-coder-0.5b-instruct"]
    settings = Settings(store=tmp_path, generator=model.name)
    with pytest.raises(AssistantError, match="is not installed .*assistant models install qwen2.5-coder-0.5b"):
        gguf_path(settings)
    monkeypatch.setattr(install, "_record_matches", lambda model, path: True)
    assert gguf_path(settings) == tmp_path / "models" / "gguf" / model.file_name


def test_llama_cpp_backend_refuses_a_hub_id(tmp_path):
    with pytest.raises(AssistantError, match="is not a GGUF file"):
        gguf_path(Settings(store=tmp_path, generator="org/some-model", generator_backend="llama.cpp"))


def test_an_unreadable_api_key_file_is_one_line(tmp_path):
    settings = Settings(store=tmp_path, generator_url="http://127.0.0.1:9/v1",
                        generator_api_key_file=tmp_path / "absent-key")
    with pytest.raises(AssistantError, match="cannot read the generator API key file"):
        build_generator(settings)


def test_a_bad_backend_name_is_refused():
    with pytest.raises(ValueError):
        Settings(generator_backend="onnx")
