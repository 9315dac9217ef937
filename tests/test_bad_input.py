"""The bad-input table: every case runs the real CLI entry point against a store holding one paper
and must exit with the given code, print one line on stderr naming what is wrong and where (an
`error: ...` line, or the `rejected <file>:<line>: ...` line of an ingest), no traceback, and leave
the store exactly as it was (paper count, chunk count and every paper's content hash)."""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ABSTRACT = ("We measure how a retrieval augmented assistant behaves when its inputs are broken, "
            "truncated or hostile, and we report every failure with its file and line. The "
            "benchmark covers JSON, CSV, Atom and listing files from real daily paper dumps.")
STORED = {"title": "Robust Ingest Benchmark", "abstract": ABSTRACT, "arxiv_id": "2611.01234"}
OTHER_ABSTRACT = ABSTRACT.replace("broken", "shattered")
BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE feed [\n<!ENTITY lol "lol">\n'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00001v1</id>'
        f'<title>Bomb &lol2;</title><summary>{ABSTRACT}</summary></entry></feed>\n')
XXE = ('<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00002v1</id>'
       f'<title>XXE Paper &xxe;</title><summary>{ABSTRACT}</summary></entry></feed>\n')


def record(**fields) -> str:
    return json.dumps({"title": "A Paper", "abstract": ABSTRACT, **fields})


@dataclass
class Case:
    name: str
    args: tuple[str, ...]  # "{file}" is the case's file, "{tmp}" its folder
    code: int
    message: str  # a regex the one stderr line must match ("{file}" allowed)
    file: tuple[str, str | bytes] | None = None  # (name, content)
    env: dict[str, str] = field(default_factory=dict)


CASES = [
    # --- files that cannot be read -------------------------------------------------------------
    Case("json number of 5,000 digits", ("ingest", "{file}"), 1,
         r"rejected {file}: invalid JSON: a number is too long",
         ("big.json", '[{"title": "T", "abstract": "A", "upvotes": ' + "9" * 5000 + "}]")),
    Case("jsonl number of 5,000 digits", ("ingest", "{file}"), 1,
         r"rejected {file}:1: invalid JSON: a number is too long", ("big.jsonl", "9" * 5000 + "\n")),
    Case("json nested 100,000 deep", ("ingest", "{file}"), 1,
         r"rejected {file}: invalid JSON: nested too deeply", ("deep.json", "[" * 100_000 + "]" * 100_000)),
    Case("jsonl nested 100,000 deep", ("ingest", "{file}"), 1,
         r"rejected {file}:1: invalid JSON: nested too deeply",
         ("deep.jsonl", '{"a":' * 100_000 + "1" + "}" * 100_000 + "\n")),
    Case("atom billion laughs", ("ingest", "{file}"), 1,
         r"rejected {file}: feed declares a DTD \(<!DOCTYPE at line 2\).*nothing read", ("bomb.atom", BOMB)),
    Case("atom external entity", ("ingest", "{file}"), 1,
         r"rejected {file}: feed declares a DTD", ("xxe.xml", XXE)),
    Case("utf-16 file", ("ingest", "{file}"), 1, r"rejected {file}: UTF-16 text is not supported",
         ("u16.json", record().encode("utf-16"))),
    Case("binary file", ("ingest", "{file}"), 1, r"rejected {file}: binary file \(NUL byte at byte offset 4\)",
         ("bin.txt", b"\x7fELF\x00\x01\x02")),
    Case("binary-looking junk without NUL", ("ingest", "{file}"), 1,
         r"rejected {file}: not UTF-8 text: byte 0xfa at byte offset 0", ("junk.csv", b"\xfa\x80junk\xff\x1b[")),
    Case("empty file", ("ingest", "{file}"), 1, r"rejected {file}: empty file$", ("empty.jsonl", "")),
    Case("white space only", ("ingest", "{file}"), 1, r"rejected {file}: empty file \(only white space\)",
         ("blank.md", " \n\t\n")),
    Case("unsupported suffix", ("ingest", "{file}"), 1, r"rejected {file}: unsupported file type '\.pdf'",
         ("paper.pdf", "%PDF-1.4")),
    Case("no suffix", ("ingest", "{file}"), 1, r"rejected {file}: unsupported file type \(no suffix\)",
         ("README", "text")),
    Case("missing path", ("ingest", "{tmp}/nope.json"), 1, r"rejected {tmp}/nope.json: no such file or folder"),
    Case("folder with no files", ("ingest", "{tmp}/empty"), 1, r"rejected {tmp}/empty: folder holds no files"),
    Case("json string, not records", ("ingest", "{file}"), 1, r"rejected {file}: expected an array .* found a string",
         ("str.json", '"hello"')),
    Case("truncated json", ("ingest", "{file}"), 1, r"rejected {file}: invalid or truncated JSON at line 1",
         ("cut.json", '[{"title": "A", "abs')),
    Case("csv without abstract column", ("ingest", "{file}"), 1,
         r"rejected {file}: CSV header has no 'abstract' column \(found: 'title', 'body'\)",
         ("nocol.csv", "title,body\nA,B\n")),
    Case("csv field over 131,072 characters", ("ingest", "{file}"), 1,
         r"rejected {file}:2: CSV error, record skipped: field larger than field limit",
         ("huge.csv", f'title,abstract,arxiv_id\nHuge,"{"x" * 140_000}",\n'
                      f'{STORED["title"]},"{ABSTRACT}",{STORED["arxiv_id"]}\n')),
    Case("jsonl record not an object", ("ingest", "{file}"), 1,
         r"rejected {file}:1: record is not a JSON object \(found array\)", ("arr.jsonl", "[1, 2]\n")),
    Case("title not a string", ("ingest", "{file}"), 1, r"rejected {file}:1: 'title' must be a string, not number",
         ("num.jsonl", json.dumps({"title": 5, "abstract": "A"}) + "\n")),
    Case("bad arxiv id", ("ingest", "{file}"), 1, r"rejected {file}:1: 'arxiv_id' is not an arXiv id: 'abc'",
         ("id.jsonl", record(arxiv_id="abc") + "\n")),
    Case("bad date", ("ingest", "{file}"), 1, r"rejected {file}:1: 'published' is not an ISO date",
         ("date.jsonl", record(published="yesterday") + "\n")),
    Case("negative upvotes", ("ingest", "{file}"), 1, r"rejected {file}:1: 'upvotes' must be a whole number",
         ("up.jsonl", record(upvotes=-3) + "\n")),
    Case("second record with an existing arXiv id, another title and abstract", ("ingest", "{file}"), 1,
         r"rejected {file}:2: arXiv id 2611\.01234 already read from {file}:1 with another title and "
         r"abstract \('Robust Ingest Benchmark'\); kept that one",
         ("twice.jsonl", json.dumps(STORED) + "\n" + json.dumps(
             {**STORED, "title": "A Different Paper", "abstract": OTHER_ABSTRACT}) + "\n")),
    Case("ingest --year 0", ("ingest", "--year", "0", "{tmp}"), 1, r"error: --year must be from 1 to 9999, not 0"),
    Case("ingest --date not a date", ("ingest", "--date", "2026-02-30", "{tmp}"), 1, r"error: .*2026-02-30"),
    # --- commands and flags --------------------------------------------------------------------
    Case("search --k 100000", ("search", "x", "--k", "100000"), 2,
         r"error: Invalid value for '--k': .*less than or equal to 100 \(.*\bassistant search\)"),
    Case("search --k 0", ("search", "x", "--k", "0"), 2, r"error: Invalid value for '--k'.*\(.*\bassistant search\)"),
    Case("search --k not a number", ("search", "x", "--k", "many"), 2, r"error: Invalid value for '--k'"),
    Case("empty search query", ("search", " "), 1, r"error: empty question"),
    Case("empty question", ("ask", ""), 1, r"error: empty question: type a question"),
    Case("blank question", ("ask", "  \n "), 1, r"error: empty question"),
    Case("compare one paper", ("compare", "-p", "Robust Ingest Benchmark"), 1, r"error: give 2 to 4 papers with --paper, not 1"),
    Case("compare an unknown paper", ("compare", "-p", "Robust Ingest Benchmark", "-p", "FooNet"), 1,
         r"error: 'FooNet' is not in the corpus"),
    Case("digest bad week", ("digest", "--week", "2026-W99"), 1, r"error: .*2026-W99"),
    Case("digest bad since", ("digest", "--since", "2026-13-01"), 1, r"error: .*2026-13-01"),
    Case("digest --out a folder", ("digest", "--all", "--out", "{tmp}"), 1, r"error: --out {tmp} is a folder"),
    Case("fetch both day and week", ("fetch", "--date", "2026-11-16", "--week", "2026-W47"), 1, r"error: give one of --date"),
    Case("fetch a file: url", ("fetch", "--date", "2026-11-16", "--base-url", "file:///etc/passwd"), 1,
         r"error: daily_papers_url must be an http\(s\) URL, not 'file:///etc/passwd'"),
    Case("ui --port 99999", ("ui", "--port", "99999"), 2, r"error: Invalid value for '--port'.*\(.*\bassistant ui\)"),
    Case("ui --port 0", ("ui", "--port", "0"), 2, r"error: Invalid value for '--port'"),
    Case("ui --port -1", ("ui", "--port", "-1"), 2, r"error: Invalid value for '--port'"),
    Case("ui --port not a number", ("ui", "--port", "http"), 2, r"error: Invalid value for '--port'"),
    Case("ui --auth in argv", ("ui", "--auth", "ann:secret"), 1,
         r"error: --auth user:password would show the password .*ASSISTANT_AUTH or use --auth-file"),
    Case("ui --auth-file missing", ("ui", "--auth-file", "{tmp}/nope"), 1,
         r"error: cannot read --auth-file {tmp}/nope: No such file or directory"),
    Case("ui --auth-file empty", ("ui", "--auth-file", "{file}"), 1, r"error: --auth-file {file} is empty",
         ("auth.txt", "\n")),
    Case("port out of range in the environment", ("ui",), 1,
         r"error: invalid settings: port: Input should be less than or equal to 65535", env={"ASSISTANT_PORT": "99999"}),
    Case("missing ASSISTANT_CONFIG file", ("stats",), 1,
         r"error: config file {tmp}/absent.toml \(named by ASSISTANT_CONFIG\) does not exist",
         env={"ASSISTANT_CONFIG": "{tmp}/absent.toml"}),
    Case("ASSISTANT_CONFIG names a folder", ("stats",), 1, r"error: config file {tmp} .* is not a file",
         env={"ASSISTANT_CONFIG": "{tmp}"}),
    Case("config file not TOML", ("stats",), 1, r"error: invalid settings: .*", ("bad.toml", "store = [unclosed"),
         env={"ASSISTANT_CONFIG": "{file}"}),
    Case("chunk_overlap >= chunk_size", ("ingest", "{tmp}"), 1,
         r"error: invalid settings: .*chunk_overlap \(200\) must be smaller than chunk_size \(200\)",
         env={"ASSISTANT_CHUNK_OVERLAP": "200"}),
    Case("threads 0", ("--threads", "0", "stats"), 1, r"error: invalid settings: threads: Input should be greater"),
    Case("unknown flag", ("search", "x", "--bogus"), 2, r"error: No such option: --bogus \(.*\bassistant search\)"),
    Case("unknown command", ("serch", "x"), 2, r"error: No such command 'serch'"),
    Case("missing argument", ("ask",), 2, r"error: Missing argument 'QUESTION'|error: Missing argument 'question'"),
    Case("extra argument", ("stats", "more"), 2, r"error: Got unexpected extra argument"),
]


def fingerprint(store: Path):
    """What must not change: counts and every paper's content hash (None: no store at all)."""
    from assistant.store import Store
    from fakes import HashingEmbedder

    if not store.exists():
        return None
    embedder = HashingEmbedder()
    opened = Store(store, embedder.name, embedder.dimension)
    return opened.count(), opened.paper_hashes()


@pytest.fixture
def stored(run_cli, tmp_path):
    """A store holding one paper (tmp_path/store) and a folder for the case's files."""
    seed = tmp_path / "seed" / "seed.jsonl"
    seed.parent.mkdir()
    seed.write_text(json.dumps(STORED) + "\n", encoding="utf-8")
    code, _, err = run_cli("ingest", str(seed))
    assert code == 0, err
    cases = tmp_path / "case"
    (cases / "empty").mkdir(parents=True)
    return cases


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_one_line_the_exit_code_and_the_store_unchanged(case, stored, run_cli, tmp_path, monkeypatch):
    fill = {"tmp": str(stored)}
    if case.file:
        name, content = case.file
        path = stored / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        fill["file"] = str(path)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value.format(**fill))
    before = fingerprint(tmp_path / "store")
    code, _, err = run_cli(*(arg.format(**fill) for arg in case.args))
    lines = err.strip().splitlines()
    assert code == case.code, err
    assert len(lines) == 1, err
    assert re.match(case.message.format(**{k: re.escape(v) for k, v in fill.items()}), lines[0]), lines[0]
    assert fingerprint(tmp_path / "store") == before


def test_the_table_has_at_least_40_cases():
    assert len(CASES) >= 40 and len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("command", [("stats",), ("search", "diffusion"), ("ask", "What is new?"),
                                     ("digest", "--all"), ("compare", "-p", "A", "-p", "B")])
def test_read_only_commands_on_a_missing_store_fail_and_create_nothing(command, run_cli, tmp_path):
    code, out, err = run_cli(*command)
    assert code == 1 and out == ""
    assert err.strip() == f"error: store {tmp_path / 'store'} does not exist (ingest papers into it first)"
    assert not (tmp_path / "store").exists()


def test_a_fifo_is_rejected_unread_not_waited_on(stored, run_cli, tmp_path):
    fifo = stored / "pipe.jsonl"
    os.mkfifo(fifo)
    folder_fifo = stored / "empty" / "inner.json"
    os.mkfifo(folder_fifo)
    # If ingest opened a FIFO it would wait for a writer forever: this writer ends the wait after
    # a few seconds, so a regression fails on the exit code instead of hanging the suite.
    rescue = threading.Timer(5.0, lambda: [open(f, "w").close() for f in (fifo, folder_fifo)])
    rescue.start()
    before = fingerprint(tmp_path / "store")
    try:
        code, _, err = run_cli("ingest", str(fifo), str(stored / "empty"))
    finally:
        rescue.cancel()
    assert code == 1
    assert err.strip().splitlines() == [f"rejected {fifo}: not a regular file (a FIFO): skipped",
                                        f"rejected {folder_fifo}: not a regular file (a FIFO): skipped"]
    assert fingerprint(tmp_path / "store") == before


def test_same_title_with_another_abstract_is_reported_as_updated(stored, run_cli):
    untitled = {"title": "Robust Ingest Benchmark", "abstract": ABSTRACT}  # no arXiv id: id from the title
    first, second = stored / "one.jsonl", stored / "two.jsonl"
    first.write_text(json.dumps(untitled) + "\n", encoding="utf-8")
    second.write_text(json.dumps({**untitled, "abstract": OTHER_ABSTRACT}) + "\n", encoding="utf-8")
    assert run_cli("ingest", str(first))[0] == 0
    code, out, err = run_cli("ingest", str(second))
    assert code == 0, err
    assert "updated 1" in out
    assert out.strip().splitlines()[-1] == "updated Robust Ingest Benchmark: abstract changed"


def test_existing_arxiv_id_with_another_title_is_reported_with_the_old_title(stored, run_cli):
    renamed = stored / "renamed.jsonl"
    renamed.write_text(json.dumps({**STORED, "title": "Renamed Benchmark", "abstract": OTHER_ABSTRACT}) + "\n",
                       encoding="utf-8")
    code, out, err = run_cli("ingest", str(renamed), "--json")
    assert code == 0, err
    changes = json.loads(out)["changes"]
    assert [(c["title"], c["changed"], c["old_title"]) for c in changes] == [
        ("Renamed Benchmark", ["title", "abstract"], "Robust Ingest Benchmark")]
    code, out, _ = run_cli("ingest", str(renamed))  # the same again: nothing changes, nothing said
    assert code == 0 and " changed" not in out
