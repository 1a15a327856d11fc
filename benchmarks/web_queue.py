"""The web app's findings queue on a large archive: the median time to answer the queue page.

Builds (once, in a temporary folder, or in `--db` if given and kept) an archive of N posts
(default 100,000) by six councillors' accounts and residents, ingested through `Store.ingest`
in pages as the pull does, with a finding on one post in `--finding-every` (default 50: 2,000
findings at 100,000 posts) and a decision on a tenth of those. Then signs in with Flask's test
client and requests the queue page `--requests` times (a bounded loop, default 50): unfiltered,
then filtered by severity, councillor and a period in turn. Prints the median and the 95th
percentile. The issue's target: under 200 ms at the median.

    .venv/bin/python benchmarks/web_queue.py [--posts 100000] [--requests 50] [--db PATH]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.config.settings import load_settings  # noqa: E402
from auditor.records import Finding, Page, Post  # noqa: E402
from auditor.service.cycle import open_store  # noqa: E402
from auditor.service.web import WebContext, create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2025, 11, 1, 15, 0, tzinfo=UTC)
NOW = START + timedelta(days=400)
COUNCILLORS = [f"Councillor {i}" for i in range(6)]
TEXTS = [
    "Great turnout at the farmers' market this Saturday, thanks to everyone who came out!",
    "Council voted tonight to approve the library expansion.",
    "What do you think about the new bike lanes? Share your thoughts below.",
    "Snow clearing starts Monday on priority routes; residential streets follow.",
    "Which roads will be closed during the water main repair?",
]
RULES = [("decision-before-release", "high", "E.6"), ("tone", "medium", "F.1"), ("response-time", "low", "F.6")]
PASSWORD = "benchmark password 123"


def config_text(database: str) -> str:
    accounts = "\n".join(
        f"  - name: {name}\n    accounts:\n      - {{platform: x, handle: c{i}, id: \"{1000 + i}\", kind: personal}}"
        for i, name in enumerate(COUNCILLORS)
    )
    return (f"council: {{name: Benchmark Council, timezone: America/Edmonton}}\ndatabase: {database}\n"
            f"policy: {ROOT / 'config' / 'policy.yaml'}\ncouncillors:\n{accounts}\n")


def build(store, posts: int, finding_every: int, page_size: int = 2000) -> None:  # type: ignore[no-untyped-def]
    per_account = posts // len(COUNCILLORS)
    findings: list[Finding] = []
    for i, _name in enumerate(COUNCILLORS):
        handle = f"c{i}"
        for first in range(0, per_account, page_size):
            batch = []
            for n in range(first, min(first + page_size, per_account)):
                pid = f"{i}{n:09d}"
                at = START + timedelta(minutes=(n * 6 + i) * 5 // len(COUNCILLORS))
                by_resident = n % 3 == 2
                batch.append(Post(
                    platform="x", platform_id=pid, author_id=f"9{n % 500}" if by_resident else str(1000 + i),
                    author_handle=f"resident{n % 500}" if by_resident else handle, author_name=None, created_at=at,
                    text=TEXTS[n % len(TEXTS)] + f" #{n}", url=f"https://x.com/{handle}/status/{pid}",
                    kind="reply" if by_resident else "post",
                    parent_id=f"{i}{n - 1:09d}" if by_resident else None,
                ))
                if not by_resident and n % finding_every == 0:
                    rule, severity, clause = RULES[(n // finding_every) % len(RULES)]
                    findings.append(Finding(rule, severity, clause, "x", handle, pid, pid, batch[-1].url, at,
                                            "Council voted", "Generated for the benchmark", COUNCILLORS[i]))
            store.ingest("x", handle, [Page(batch)], NOW, "replay")
    saved = store.save_findings(findings, NOW)
    for finding in saved[::10]:
        store.decide(finding.id, "acknowledged", "", "benchmark", NOW)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--finding-every", type=int, default=50)
    parser.add_argument("--db", type=Path, help="keep the archive here (built only if the file does not exist)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="auditor-web-bench-"))
    db = args.db or folder / "archive.db"
    config = folder / "auditor.yaml"
    config.write_text(config_text(f"sqlite:///{db.resolve()}"), encoding="utf-8")
    fresh = not db.exists()
    settings = load_settings(config)
    store = open_store(settings)
    if fresh:
        began = time.perf_counter()
        build(store, args.posts, args.finding_every)
        print(f"built {store.counts()} in {time.perf_counter() - began:.0f} s", flush=True)
    if store.user("bench") is None:
        store.add_user("bench", "viewer", PASSWORD, NOW)
    app = create_app(WebContext(settings, store, lambda: NOW, {"AUDITOR_WEB_SECRET": "benchmark"}))
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    assert token is not None
    client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)})
    paths = ["/findings", "/findings?severity=high", "/findings?councillor=Councillor%203",
             "/findings?from=2026-03-01&to=2026-03-31", "/findings?status=open&page=3"]
    client.get(paths[0])  # warm: templates compiled, first connection opened
    times = []
    for n in range(args.requests):
        began = time.perf_counter()
        response = client.get(paths[n % len(paths)])
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
    times.sort()
    print(f"queue page over {store.counts()['posts']:,} posts and {store.counts()['findings']:,} findings, "
          f"{len(times)} requests: median {statistics.median(times) * 1000:.1f} ms, "
          f"95th percentile {times[int(len(times) * 0.95) - 1] * 1000:.1f} ms, worst {times[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
