"""Serving rules, checked without starting a server: loopback binds, authentication, uploads."""

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


def test_refused_uploads_delete_their_temporary_file_and_name_no_server_path(tmp_path):
    folder = tmp_path / "uploads"
    program = tmp_path / "gradio-tmp" / "run.exe"
    program.parent.mkdir()
    program.write_bytes(b"MZ")
    big = program.with_name("big.jsonl")
    big.write_text("x" * 2001)
    refused = keep_uploads([program, big], folder, max_bytes=2000)
    assert [upload.path for upload in refused] == [None, None]
    assert not program.exists() and not big.exists()
    assert all(str(tmp_path) not in upload.refused for upload in refused)


def test_uploads_the_ingest_refuses_as_a_whole_are_deleted_and_reported_by_name(tmp_path):
    from assistant.schema import IngestReport, Rejection
    from assistant.ui.serving import settle_uploads

    folder = tmp_path / "uploads"
    sources = {"good.jsonl": '{"title": "T", "abstract": "A"}\n', "bad.json": "[{", "mixed.csv": "x"}
    for name, text in sources.items():
        (tmp_path / name).write_text(text)
    kept = keep_uploads([tmp_path / name for name in sources] + [tmp_path / "note.exe"], folder, 10_000)
    good, bad, mixed, _ = (str(upload.path) for upload in kept)
    report = IngestReport(added=2, rejected=[Rejection(bad, 0, "invalid or truncated JSON"),
                                             Rejection(mixed, 3, "record has no abstract")])
    settled = settle_uploads(kept, report)
    assert sorted(path.name for path in folder.iterdir()) == ["good.jsonl", "mixed.csv"]
    assert [(r.source, r.line) for r in settled.rejected] == [
        ("note.exe", 0), ("bad.json", 0), ("mixed.csv", 3)]
    assert all(str(tmp_path) not in str(r) for r in settled.rejected)


def test_login_throttle_refuses_unchecked_during_a_doubling_wait():
    from assistant.ui.serving import LoginThrottle

    now = [0.0]
    throttle = LoginThrottle(("ann", "s3cret"), free_failures=3, first_wait=1.0, longest_wait=8.0,
                             clock=lambda: now[0])
    assert throttle("ann", "s3cret") is True
    assert [throttle("ann", "guess") for _ in range(3)] == [False, False, False]
    assert throttle("ann", "s3cret") is False  # inside the 1 s wait: even the right password
    now[0] = 1.01
    assert throttle("ann", "guess") is False  # 4th failure: now a 2 s wait
    now[0] = 2.5
    assert throttle("ann", "s3cret") is False
    now[0] = 3.02
    assert throttle("ann", "s3cret") is True  # the wait is over and success resets the count
    assert throttle("ann", "guess") is False and throttle("ann", "s3cret") is True
    assert [throttle.wait_after(n) for n in (1, 2, 3, 4, 5, 6, 9)] == [0, 0, 1, 2, 4, 8, 8]


def test_login_throttle_counts_unknown_user_names_together():
    from assistant.ui.serving import LoginThrottle

    throttle = LoginThrottle(("ann", "pw"), free_failures=2, clock=lambda: 0.0)
    assert [throttle(f"user{n}", "pw") for n in range(3)] == [False] * 3
    assert len(throttle._failures) == 1
    assert throttle("ann", "pw") is True  # guessing other names does not lock the real user out


def test_launch_wraps_the_credentials_in_the_throttle():
    from assistant.ui.serving import LoginThrottle, launch

    class App:
        def queue(self, **options):
            pass

        def launch(self, **options):
            self.auth = options["auth"]

    app = App()
    launch(app, "127.0.0.1", 7860, ("ann", "pw"), 1.0)
    assert isinstance(app.auth, LoginThrottle) and app.auth("ann", "pw") is True


def test_cli_ui_reads_auth_from_a_file_and_refuses_it_in_argv(run_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("ASSISTANT_AUTH", raising=False)
    secret = tmp_path / "auth"
    secret.write_text("ann\n")  # read, then refused for its form: proof the file is what counts
    code, _, err = run_cli("ui", "--host", "0.0.0.0", "--auth-file", str(secret))
    assert code == 1 and err.strip() == "error: auth must be given as user:password"
    code, _, err = run_cli("ui", "--host", "0.0.0.0", "--auth", "ann:pw")
    assert code == 1 and "would show the password" in err and "ann:pw" not in err
