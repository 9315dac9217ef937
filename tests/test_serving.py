"""Serving rules, checked without starting a server: loopback binds, authentication, uploads."""

from pathlib import Path

import pytest

from assistant.schema import AssistantError
from assistant.ui.serving import check_bind, is_loopback, keep_upload, keep_uploads, safe_name


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("example.org", False),
])
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_non_loopback_bind_without_auth_is_refused_in_one_line():
    with pytest.raises(AssistantError) as refused:
        check_bind("0.0.0.0", None)
    message = str(refused.value)
    assert "\n" not in message and "needs authentication" in message and "--auth-file" in message


def test_bind_credentials():
    assert check_bind("127.0.0.1", None) is None
    assert check_bind("0.0.0.0", "ann:s3cret:with:colons") == ("ann", "s3cret:with:colons")
    for bad in ("ann", ":pw", "ann:"):
        with pytest.raises(AssistantError, match="user:password"):
            check_bind("127.0.0.1", bad)


def test_cli_ui_refuses_a_public_bind_without_auth_before_loading_anything(run_cli, monkeypatch):
    monkeypatch.delenv("ASSISTANT_AUTH", raising=False)
    code, out, err = run_cli("ui", "--host", "0.0.0.0")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        "error: binding 0.0.0.0 (not a loopback address) needs authentication: "
        "set ASSISTANT_AUTH=user:password or pass --auth-file PATH"]


def test_cli_ui_reads_auth_from_the_environment(run_cli, monkeypatch):
    monkeypatch.setenv("ASSISTANT_AUTH", "ann")
    code, _, err = run_cli("ui", "--host", "0.0.0.0")
    assert code == 1 and "auth must be given as user:password" in err


@pytest.mark.parametrize(("name", "safe"), [
    ("listing.txt", "listing.txt"),
    ("../../evil.txt", "evil.txt"),
    ("..\\..\\evil.json", "evil.json"),
    ("/etc/passwd.csv", "passwd.csv"),
    (".hidden.md", "hidden.md"),
    ("my papers (1).jsonl", "my_papers_1_.jsonl"),
    ("..", "upload"),
    ("", "upload"),
    ("x" * 300 + ".csv", "x" * 116 + ".csv"),
])
def test_safe_name_stays_a_plain_basename(name, safe):
    assert safe_name(name) == safe


def test_uploads_land_in_the_upload_folder_whatever_their_name(tmp_path):
    source = tmp_path / "tmp-upload"
    source.write_text("title,abstract\nA,B\n")
    folder = tmp_path / "store" / "uploads"
    kept = keep_upload(source, "../../evil.csv", folder, max_bytes=1000)
    assert kept.refused is None and kept.path == (folder / "evil.csv").resolve()
    assert kept.path.read_text() == source.read_text()
    assert not (tmp_path / "evil.csv").exists() and sorted(folder.iterdir()) == [kept.path]


def test_uploads_of_the_wrong_type_or_too_large_are_refused_and_not_copied(tmp_path):
    folder = tmp_path / "uploads"
    program = tmp_path / "run.exe"
    program.write_bytes(b"MZ")
    big = tmp_path / "big.jsonl"
    big.write_text("x" * 2001)
    wrong, large = keep_uploads([program, big], folder, max_bytes=2000)
    assert wrong.refused.startswith("not an ingestible file type (expected .txt, .md")
    assert large.refused == "0.0 MB is over the 0.002 MB upload limit"
    assert not folder.exists()
