"""The real `assistant ui` process keeps the Hugging Face hub offline: its environment is set
before Gradio (and so huggingface_hub, which reads HF_HUB_OFFLINE once, at import) loads."""

import subprocess
import sys
import time

import pytest

from conftest import ROOT
from conftest import free_port

pytestmark = pytest.mark.slow
HUB_FLAGS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")
HOSTILE = ROOT / "tests" / "fixtures" / "hostile_ui.jsonl"


def _tiny_store(path, embedder):
    from assistant.app import Assistant
    from assistant.settings import Settings
    from assistant.store import Store

    assistant = Assistant(Settings(store=path), Store(path, embedder.name, embedder.dimension), embedder)
    assert assistant.ingest([HOSTILE]).added == 3
    return path


def _status(url: str, process: subprocess.Popen, deadline: float) -> dict:
    from gradio_client import Client

    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`assistant ui` exited with {process.returncode}: {process.stderr.read()}")
        try:
            return Client(url, verbose=False).predict(api_name="/status")
        except Exception:  # not listening yet
            time.sleep(1)
    pytest.fail("`assistant ui` did not answer /status in time")


def test_ui_process_keeps_the_hub_offline(tmp_path, real_embedder):
    store = _tiny_store(tmp_path / "store", real_embedder)
    config = tmp_path / "config.toml"
    config.write_text("")
    # The offline environment, less the hub's own flags: the app must set those itself. Any hub
    # request it made anyway would go to a closed loopback port, never out.
    env = environment_offline()
    env.update(ASSISTANT_STORE=str(store), ASSISTANT_CONFIG=str(config),
               HF_ENDPOINT="http://127.0.0.1:9", PYTHONPATH=str(ROOT))
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "assistant", "ui", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    try:
        status = _status(f"http://127.0.0.1:{port}/", process, time.monotonic() + 120)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert status["hub_offline"] is True
    assert status["papers"] == 3


def environment_offline() -> dict[str, str]:
    from assistant.environment import offline_environment

    return {k: v for k, v in offline_environment().items() if k not in HUB_FLAGS}


@pytest.mark.parametrize("allowed", [False])  # True works too (checked by hand): budget
def test_importing_assistant_ui_as_a_library_sets_the_environment_first(tmp_path, allowed):
    """`from assistant.ui import build_app` without the CLI: huggingface_hub is offline unless
    the settings allow the network."""
    config = tmp_path / "config.toml"
    config.write_text(f"allow_network = {str(allowed).lower()}\n")
    env = {k: v for k, v in environment_offline().items()
           if k not in __import__("assistant.environment").environment.QUIET_ENVIRONMENT}
    env.update(ASSISTANT_CONFIG=str(config), HF_ENDPOINT="http://127.0.0.1:9", PYTHONPATH=str(ROOT))
    probe = "import assistant.ui, huggingface_hub.constants as c; print(c.HF_HUB_OFFLINE)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(not allowed)
