"""How often does the auditor flag ordinary political speech? Real posts, no planted faults.

Runs every rule over ../shared/corpus (US Congress tweets, Canadian party leaders' Facebook
posts) as if a councillor had written them, and prints how many are flagged medium or high,
with each one's rule, evidence, why it fired and the words around it, so a lexicon that cries
wolf can be seen and mended.

    .venv/bin/python benchmarks/false_alarms.py [--meetings]

`--meetings` is the worst case for the decision rule: every post as if written while a council
meeting's minutes were still unreleased (a meeting every 20 days, never released).
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.config.policy import load_policy  # noqa: E402
from auditor.engine.context import AuditContext, MeetingInfo  # noqa: E402
from auditor.engine.evaluate import enabled_rules, evaluate  # noqa: E402
from auditor.engine.text import excerpt  # noqa: E402
from benchmarks.corpus import ACCOUNTS, CORPUS, corpus_posts  # noqa: E402

POST_RULES = {"in-camera", "decision-before-release", "tone", "official-account-politics", "emergency-protocol"}


def main() -> int:
    if not CORPUS.exists():
        print(f"{CORPUS} is absent: nothing to measure")
        return 0
    policy = load_policy(Path(__file__).resolve().parents[1] / "config" / "policy.yaml")
    posts = list(corpus_posts())
    meetings = []
    if "--meetings" in sys.argv[1:]:
        first, last = min(p.created_at for p in posts), max(p.created_at for p in posts)
        meetings = [MeetingInfo(first + timedelta(days=20 * n), None, "Regular council meeting", (), ())
                    for n in range((last - first).days // 20 + 1)]
    ctx = AuditContext(now=datetime(2022, 1, 1, tzinfo=UTC), tz=ZoneInfo("America/Edmonton"), posts=posts,
                       accounts=ACCOUNTS, meetings=meetings)
    # Post-level rules only: cadence and response-time need a council's calendar and threads.
    findings = [f for f in evaluate(ctx, enabled_rules(policy, only=POST_RULES))
                if f.severity in ("medium", "high")]
    own = sum(1 for p in posts if p.kind != "repost")
    flagged = {f.subject for f in findings}
    print(f"corpus: {len(posts)} posts ({own} in the officials' own words)")
    print(f"flagged medium or high: {len(flagged)} ({len(flagged) / own:.2%} of own posts; target at most 1%)")
    for rule, count in Counter(f.rule for f in findings).most_common():
        print(f"  {rule}: {count}")
    texts = {(p.platform, p.platform_id): p.text for p in posts}
    for f in findings:
        text = texts.get((f.platform, f.post_id or ""), "")
        at = text.find(f.evidence) if f.evidence else -1
        around = excerpt(text, at, at + len(f.evidence), 50) if at >= 0 else ""
        print(f"  - {f.rule} [{f.severity}] {f.platform} {f.subject}: \u201c{f.evidence}\u201d")
        print(f"      why: {f.reason}")
        if around:
            print(f"      in:  {around}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
