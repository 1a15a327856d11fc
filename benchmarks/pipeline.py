"""The whole process through the public CLI, on a generated replayed council.

Generates N posts (default 100,000) by 50 X accounts (one the City's) plus N/4 residents'
replies, as X API v2 bodies in the replay layout (`DIR/x/<handle>/*.json`, 100 tweets a body),
with text drawn from ../shared/corpus/ (real officials' posts). Writes a configuration with
meetings and an emergency window, then runs, each as its own `auditor` process:

    run                 ingest and audit everything
    run (no change)     the same replay again: nothing new
    audit               a full re-audit of the archive, without pulling
    report weekly       the last complete week

and prints records/s for each (by wall clock, and by the process's own CPU time, which a busy
machine does not inflate), the peak memory (max RSS) of each process, and the database
size per post, on SQLite and, when a server answers, on PostgreSQL (a fresh schema of its own).
The findings are summarised by a digest of (rule, platform, account, subject, severity,
evidence): two runs that agree on it found the same things.

    .venv/bin/python benchmarks/pipeline.py [--posts 100000] [--db sqlite,postgresql] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
POLICY = ROOT / "config" / "policy.yaml"
AUDITOR = Path(sys.executable).with_name("auditor")
POSTGRES_URL = os.environ.get("AUDITOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ACCOUNTS = 50
PER_BODY = 100
TWEPOCH_MS = 1288834974657
END = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # the last post; the report's week ends here
NOW = END + timedelta(hours=10)
WEEK = "2026-W47"


def corpus_texts() -> list[str]:
    texts = []
    for line in (CORPUS / "congresstweets-sample.jsonl").read_text(encoding="utf-8").splitlines():
        texts.append(json.loads(line)["text"])
    for line in (CORPUS / "facebook-canada2015-leaders-posts.jsonl").read_text(encoding="utf-8").splitlines():
        message = json.loads(line)["message"]
        if message:
            texts.append(message[:4000])
    return texts


def snowflake(at: datetime, n: int) -> str:
    ms = int(at.timestamp() * 1000) - TWEPOCH_MS
    return str((ms << 22) + (n & 0x3FFFFF))


@dataclass
class Council:
    handles: list[str]
    ids: dict[str, str]
    posts: int
    replies: int
    span_days: int


def generate(folder: Path, posts: int, seed: int = 11) -> Council:
    """Write the replay folder: each account's timeline bodies, then its mentions bodies."""
    rng = random.Random(seed)
    pool = corpus_texts()
    handles = ["CityofLeduc"] + [f"Councillor{i:02d}" for i in range(1, ACCOUNTS)]
    ids = {h: str(3_000_000_000 + i) for i, h in enumerate(handles)}
    span_days = max(30, min(365, posts // 300))
    start = END - timedelta(days=span_days)
    per_account = posts // ACCOUNTS
    replies_total = 0
    counter = 0
    for a, handle in enumerate(handles):
        own = per_account + (1 if a < posts % ACCOUNTS else 0)
        user = {"id": ids[handle], "name": f"Council member {a}", "username": handle,
                "description": "Leduc City Councillor." + (" Views are my own." if a % 3 == 0 else "")}
        times = sorted(start + timedelta(seconds=rng.uniform(0, span_days * 86400)) for _ in range(own))
        timeline: list[dict[str, object]] = []
        residents: list[dict[str, object]] = []
        for at in times:
            counter += 1
            tid = snowflake(at, counter)
            tweet: dict[str, object] = {
                "id": tid, "text": rng.choice(pool), "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "author_id": ids[handle], "conversation_id": tid,
                "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": rng.randrange(50)},
                "edit_history_tweet_ids": [tid],
            }
            roll = rng.random()
            if roll < 0.05 and handle != "CityofLeduc":  # a repost of the City's
                tweet["text"] = "RT @CityofLeduc: " + str(tweet["text"])[:200]
                tweet["referenced_tweets"] = [{"type": "retweeted", "id": snowflake(at - timedelta(hours=1), counter)}]
            timeline.append(tweet)
            # A quarter of the posts get a resident's reply (a question, half the time).
            if rng.random() < 0.25:
                counter += 1
                when = at + timedelta(minutes=rng.uniform(5, 3000))
                rid = snowflake(when, counter)
                resident = str(9_000_000_000 + rng.randrange(2000))
                residents.append({
                    "id": rid, "text": f"@{handle} " + rng.choice(pool)[:240] + ("?" if rng.random() < 0.5 else ""),
                    "created_at": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "author_id": resident,
                    "conversation_id": tid, "in_reply_to_user_id": ids[handle],
                    "referenced_tweets": [{"type": "replied_to", "id": tid}],
                    "edit_history_tweet_ids": [rid],
                })
                # Now and then the councillor answers, within the day or late.
                if rng.random() < 0.3:
                    counter += 1
                    answer_at = when + timedelta(hours=rng.choice([1, 5, 30, 80]))
                    aid = snowflake(answer_at, counter)
                    timeline.append({
                        "id": aid, "text": "Thanks for asking! " + rng.choice(pool)[:200],
                        "created_at": answer_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "author_id": ids[handle],
                        "conversation_id": tid, "in_reply_to_user_id": resident,
                        "referenced_tweets": [{"type": "replied_to", "id": rid}],
                        "edit_history_tweet_ids": [aid],
                    })
        replies_total += len(residents)
        account_dir = folder / "x" / handle
        account_dir.mkdir(parents=True, exist_ok=True)
        _write_bodies(account_dir, "users-tweets", timeline, [user])
        resident_users = [{"id": str(r["author_id"]), "name": "Resident", "username": f"res{r['author_id']}"}
                          for r in residents]
        _write_bodies(account_dir, "users-mentions", residents, [user, *resident_users], first=5000)
    return Council(handles, ids, posts, replies_total, span_days)


def _write_bodies(folder: Path, endpoint: str, tweets: list[dict[str, object]], users: list[dict[str, object]],
                  first: int = 1) -> None:
    newest_first = sorted(tweets, key=lambda t: int(str(t["id"])), reverse=True)
    for page, at in enumerate(range(0, len(newest_first), PER_BODY)):
        chunk = newest_first[at:at + PER_BODY]
        wanted = {str(t["author_id"]) for t in chunk}
        body = {
            "data": chunk,
            "includes": {"users": [u for u in users if u["id"] in wanted or u is users[0]]},
            "meta": {"result_count": len(chunk), "newest_id": chunk[0]["id"], "oldest_id": chunk[-1]["id"],
                     **({"next_token": f"t{page + 1}"} if at + PER_BODY < len(newest_first) else {})},
        }
        (folder / f"{first + page:05d}-{endpoint}.json").write_text(json.dumps(body, ensure_ascii=False),
                                                                     encoding="utf-8")


def write_config(folder: Path, council: Council, database: str, policy: Path = POLICY) -> Path:
    start = END - timedelta(days=council.span_days)
    meetings = []
    day = start + timedelta(days=3)
    while day < END:
        released = day + timedelta(days=4)
        meetings.append(
            f"  - {{title: Regular council meeting, start: {day.isoformat()}, "
            + (f"minutes_released: {released.isoformat()}, " if released < END else "")
            + "agenda: [ring road contract, library expansion], in_camera_topics: [land acquisition]}"
        )
        day += timedelta(days=14)
    emergency = END - timedelta(days=20)
    councillors = "\n".join(
        f"  - name: Councillor {h}\n    accounts:\n      - {{platform: x, handle: {h}, id: \"{council.ids[h]}\", "
        f"kind: {'personal' if i % 2 else 'representative'}}}"
        for i, h in enumerate(council.handles[1:])
    )
    config = f"""council: {{name: Benchmark Council, timezone: America/Edmonton}}
database: {database}
policy: {policy}
replay: replay
reports_dir: reports
official_accounts:
  - {{platform: x, handle: CityofLeduc, id: "{council.ids['CityofLeduc']}", kind: official-city}}
councillors:
{councillors}
meetings:
{chr(10).join(meetings)}
emergencies:
  - {{start: {emergency.isoformat()}, end: {(emergency + timedelta(days=3)).isoformat()}, topics: [flood, evacuation]}}
email: {{from: auditor@example.org, alerts_to: [comms@example.org], weekly_to: [comms@example.org], outbox: outbox}}
"""
    path = folder / f"auditor-{uuid.uuid4().hex[:6]}.yaml"
    path.write_text(config, encoding="utf-8")
    return path


@dataclass
class Step:
    name: str
    seconds: float
    cpu_seconds: float  # user + system: what the step costs, whatever else the machine is doing
    max_rss_mb: float
    records: int
    output: str

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    @property
    def cpu_rate(self) -> float:
        return self.records / self.cpu_seconds if self.cpu_seconds else 0.0


def run_cli(config: Path, name: str, records: int, *args: str) -> Step:
    command = [str(AUDITOR), "--config", str(config), "--now", NOW.isoformat(), *args]
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if child.returncode not in (0, 1):
        raise SystemExit(f"`{' '.join(command)}` failed ({child.returncode}):\n{text[-3000:]}")
    # Linux reports ru_maxrss in kilobytes.
    return Step(name, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, records, text)


def findings_digest(config: Path) -> tuple[int, str]:
    command = [str(AUDITOR), "--config", str(config), "--now", NOW.isoformat(), "findings", "--format", "json"]
    found = json.loads(subprocess.run(command, capture_output=True, check=True, text=True).stdout)
    keys = sorted(
        json.dumps([f["rule"], f["platform"], f["account"], f.get("post_id"), f["severity"], f["evidence"],
                    f["reason"]], ensure_ascii=False)
        for f in found
    )
    return len(found), hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]


def postgres_schema() -> tuple[str, object] | None:
    """A fresh schema on the test server, or None when no server answers."""
    try:
        import sqlalchemy as sa
    except ImportError:
        return None
    try:
        admin = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
        schema = f"auditor_bench_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # any failure to connect means: no server here
        print(f"postgresql: skipped, no server at {POSTGRES_URL} ({type(exc).__name__})")
        return None
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}", (admin, schema)


def drop_schema(handle: object) -> None:
    import sqlalchemy as sa

    admin, schema = handle  # type: ignore[misc]
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def database_bytes(url: str, folder: Path) -> int:
    if url.startswith("sqlite:///"):
        path = folder / url.removeprefix("sqlite:///")
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        size = conn.execute(sa.text(
            "select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() and c.relkind = 'r'"
        )).scalar_one()
    engine.dispose()
    return int(size)


def bench(db: str, folder: Path, council: Council, check: bool, policy: Path) -> list[Step] | None:
    handle = None
    if db == "sqlite":
        url = f"sqlite:///{db}-{uuid.uuid4().hex[:6]}.db"  # relative to the config file
    else:
        made = postgres_schema()
        if made is None:
            return None
        url, handle = made
    config = write_config(folder, council, url, policy)
    records = council.posts + council.replies
    try:
        steps = [
            run_cli(config, "run", records, "run"),
            run_cli(config, "run (no change)", records, "run"),
            run_cli(config, "audit", records, "audit"),
            run_cli(config, "report weekly", records, "report", "weekly", "--week", WEEK),
        ]
        size = database_bytes(url, folder)
        count, digest = findings_digest(config) if check else (0, "-")
    finally:
        if handle is not None:
            drop_schema(handle)
    print(f"\n{db}: {council.posts:,} posts + {council.replies:,} replies = {records:,} records, "
          f"{len(council.handles)} accounts")
    print(f"  {'step':<18}{'seconds':>9}{'records/s':>12}{'CPU s':>8}{'records/CPU s':>15}{'max RSS MB':>12}")
    for step in steps:
        print(f"  {step.name:<18}{step.seconds:>9.1f}{step.rate:>12,.0f}{step.cpu_seconds:>8.1f}"
              f"{step.cpu_rate:>15,.0f}{step.max_rss_mb:>12,.0f}")
    print(f"  database: {size / 1e6:,.1f} MB, {size / records:,.0f} bytes per record")
    if check:
        print(f"  findings: {count:,} (digest {digest})")
    print("  `run` said: " + " | ".join(line[:100] for line in steps[0].output.strip().splitlines()[-3:]))
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000,
                        help="posts by the accounts (residents' replies: about a quarter more)")
    parser.add_argument("--db", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--keep", type=Path, help="generate into (and keep) this folder instead of a temporary one")
    parser.add_argument("--policy", type=Path, default=POLICY, help="the policy file (default: config/policy.yaml)")
    parser.add_argument("--no-check", action="store_true", help="skip the findings digest")
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent (the corpus comes beside the repository, not in it)")
        return 0
    folder = args.keep or Path(tempfile.mkdtemp(prefix="auditor-pipeline-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        council = generate(folder / "replay", args.posts)
        print(f"generated {council.posts:,} posts and {council.replies:,} replies over {council.span_days} days "
              f"in {time.perf_counter() - started:.1f} s ({folder})")
        for db in args.db.split(","):
            bench(db.strip(), folder, council, not args.no_check, args.policy.resolve())
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
