"""Digest of one real Daily Papers week with the default models: seconds, coverage, fragments.

    ASSISTANT_MODEL_CACHE=/work/cache/models python eval/week_digest.py [2025-W11]

Ingests the week's day files from ../shared/real/hf_daily_papers into a temporary store (timed
apart), then times `digest` of the week and reports papers listed vs covered, topics, shown
sentences, the share of them that are fragments, and papers with a link.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.dates import make_window, parse_week, week_days  # noqa: E402
from assistant.phrasing import fragment_share  # noqa: E402

DAYS = ROOT.parent / "shared" / "real" / "hf_daily_papers"


def main(week: str = "2025-W11") -> None:
    from assistant.app import Assistant
    from assistant.settings import Settings

    files = [DAYS / f"{day}.json" for day in week_days(*parse_week(week)) if (DAYS / f"{day}.json").exists()]
    listed = {e["paper"]["id"] for f in files for e in json.loads(f.read_text())}
    with tempfile.TemporaryDirectory() as folder:
        assistant = Assistant.from_settings(Settings(store=Path(folder)))
        started = time.perf_counter()
        assistant.ingest(files)
        ingest_seconds = time.perf_counter() - started
        assistant.generator  # load it before timing, as a running app has it loaded
        started = time.perf_counter()
        digest = assistant.digest(make_window(week=week))
        seconds = time.perf_counter() - started
    sentences = [s for t in digest.topics for s in t.answer.sentences]
    paragraph_seconds = sum(t.answer.seconds for t in digest.topics)
    print(json.dumps({
        "week": week, "files": len(files), "listed": len(listed), "covered": digest.papers,
        "topics": [t.label for t in digest.topics], "ingest_seconds": round(ingest_seconds, 1),
        "digest_seconds": round(seconds, 1), "paragraph_seconds": round(paragraph_seconds, 1),
        "shown_sentences": sum(s.shown for s in sentences),
        "fragment_share": fragment_share(sentences),
        "actions": {a: sum(s.action == a for s in sentences) for a in {s.action for s in sentences}},
        "papers_with_link": sum(bool(p.arxiv_id) for t in digest.topics for p in t.papers),
    }, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:])
