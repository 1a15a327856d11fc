"""Engine throughput on a generated archive, against a naive baseline, in one run.

The archive: N posts (default 100,000) by six councillors and their residents, text drawn
from the real corpus where present (else from built-in sentences), with replies, questions,
reposts, meetings and an emergency window. Every rule is on. The baseline runs each keyword
of every lexicon as its own case-insensitive regular expression over each post: what a
first attempt at this product would do (on the first `--baseline-posts` posts: it is slow).

The engine runs `--repeat` times on a fresh context (the best run is the figure: a shared
machine only ever slows a run down), the baseline once.

    .venv/bin/python benchmarks/engine.py [--posts 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.config.policy import load_policy  # noqa: E402
from auditor.engine.context import AccountInfo, AuditContext, EmergencyInfo, MeetingInfo  # noqa: E402
from auditor.engine.evaluate import enabled_rules, evaluate  # noqa: E402
from auditor.records import PostView  # noqa: E402
from benchmarks.corpus import CORPUS, corpus_posts  # noqa: E402

FALLBACK = [
    "Great turnout at the farmers' market this Saturday, thanks to everyone who came out!",
    "Council voted tonight to approve the library expansion.",
    "What do you think about the new bike lanes? Share your thoughts below.",
    "I strongly disagree with the proposed tax increase and will vote against it.",
    "Snow clearing starts Monday on priority routes; residential streets follow.",
    "Which roads will be closed during the water main repair?",
]
START = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


def texts() -> list[str]:
    if CORPUS.exists():
        return [p.text for p in corpus_posts() if p.text] + FALLBACK
    return FALLBACK


def generate(count: int, seed: int = 7) -> tuple[list[PostView], list[AccountInfo]]:
    rng = random.Random(seed)
    pool = texts()
    councillors = [f"Councillor {i}" for i in range(6)]
    accounts = [
        AccountInfo("x", f"c{i}", "personal" if i % 2 else "representative", name) for i, name in enumerate(councillors)
    ] + [AccountInfo("x", "city", "official-city", None)]
    posts: list[PostView] = []
    for n in range(count):
        at = START + timedelta(minutes=5 * n)
        i = rng.randrange(6)
        text = rng.choice(pool)
        if posts and rng.random() < 0.45:  # a reply: a resident asking, or a councillor answering
            parent = posts[rng.randrange(max(0, len(posts) - 200), len(posts))]
            resident = rng.random() < 0.6
            posts.append(
                PostView(
                    platform="x",
                    platform_id=str(n),
                    feed_account=parent.feed_account,
                    author_id=f"r{rng.randrange(500)}" if resident else f"c{i}",
                    author_handle=None,
                    author_account=None if resident else f"c{i}",
                    councillor=None if resident else councillors[i],
                    kind="reply",
                    text=text + ("?" if resident and rng.random() < 0.5 else ""),
                    created_at=at,
                    url=None,
                    parent_id=parent.platform_id,
                    conversation_id=parent.conversation_id or parent.platform_id,
                )
            )
        else:
            kind = "repost" if rng.random() < 0.1 else "post"
            posts.append(
                PostView(
                    platform="x",
                    platform_id=str(n),
                    feed_account=f"c{i}",
                    author_id=f"c{i}",
                    author_handle=None,
                    author_account=f"c{i}",
                    councillor=councillors[i],
                    kind=kind,
                    text=text,
                    created_at=at,
                    url=None,
                    conversation_id=str(n),
                )
            )
    return posts, accounts


def context(posts: list[PostView], accounts: list[AccountInfo]) -> AuditContext:
    end = posts[-1].created_at
    meetings = [
        MeetingInfo(
            START + timedelta(days=d, hours=4),
            START + timedelta(days=d + 4),
            "Council meeting",
            ("ring road contract",),
            ("land acquisition",),
        )
        for d in range(0, (end - START).days, 14)
    ]
    emergencies = [EmergencyInfo(START + timedelta(days=30), START + timedelta(days=33), ("flood", "evacuation"))]
    return AuditContext(
        now=end + timedelta(days=1),
        tz=ZoneInfo("America/Edmonton"),
        posts=posts,
        accounts=accounts,
        meetings=meetings,
        emergencies=emergencies,
    )


def baseline(posts: list[PostView], keywords: list[str]) -> int:
    # Compiled once, as `re`'s own cache would for a short list: past 512 keywords the cache
    # would recompile every pattern on every post, and the baseline would look worse than it is.
    patterns = [re.compile(r"\b" + re.escape(keyword.rstrip("*")), re.IGNORECASE) for keyword in keywords]
    hits = 0
    for post in posts:
        for pattern in patterns:
            if pattern.search(post.text):
                hits += 1
    return hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="engine runs; the best is reported")
    parser.add_argument("--baseline-posts", type=int, default=20_000,
                        help="the baseline's rate is measured on the first N posts (it is slow)")
    args = parser.parse_args()
    policy = load_policy(Path(__file__).resolve().parents[1] / "config" / "policy.yaml")
    posts, accounts = generate(args.posts)
    rules = enabled_rules(policy)
    keywords = sorted(
        {
            word
            for params in policy.params.values()
            for name, value in params
            if isinstance(value, list)
            for word in value
        }
    )
    print(
        f"archive: {len(posts):,} posts ({'real corpus text' if CORPUS.exists() else 'built-in text'}), "
        f"{len(rules)} rules, {len(keywords)} keywords"
    )

    runs = []
    for _ in range(max(1, args.repeat)):
        ctx = context(posts, accounts)
        started = time.perf_counter()
        findings = evaluate(ctx, rules)
        runs.append(time.perf_counter() - started)
    engine_seconds = min(runs)
    sample = posts[: max(1, args.baseline_posts)]
    started = time.perf_counter()
    hits = baseline(sample, keywords)
    baseline_seconds = time.perf_counter() - started

    engine_rate, baseline_rate = len(posts) / engine_seconds, len(sample) / baseline_seconds
    median = sorted(runs)[len(runs) // 2]
    print(f"engine:   {engine_seconds:6.2f} s  {engine_rate:10,.0f} posts/s  ({len(findings):,} findings, every rule; "
          f"best of {len(runs)}, median {len(posts) / median:,.0f} posts/s)")
    print(
        f"baseline: {baseline_seconds:6.2f} s  {baseline_rate:10,.0f} posts/s  ({hits:,} keyword hits in the first "
        f"{len(sample):,} posts, keywords only)"
    )
    print(f"speed-up: {engine_rate / baseline_rate:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
