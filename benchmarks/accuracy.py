"""Precision and recall of every rule on the labelled sets: the tuning corpus, the development set, the blind set.

Each corpus file is one council's month: accounts, meetings, emergencies and posts, every post
and account labelled with the rule ids that must fire on it (see tests/corpus/README.md). The
engine runs every enabled rule of the shipped config/policy.yaml over each file, as the
pipeline would. A finding counts for the post it is about (the resident's question, for
response-time), for the account (disclaimer, cadence, preferred-platforms), or for the exchange
(unmoderated-debate: a councillor's replies to one person in one thread, labelled on any of
those replies). Prints precision and recall per rule and overall, then every false positive and
false negative with its text.

    .venv/bin/python benchmarks/accuracy.py [--quiet]                # tests/corpus/, every rule
    .venv/bin/python benchmarks/accuracy.py --set dev                # tests/dev/, content rules, en/fr apart
    .venv/bin/python benchmarks/accuracy.py --set blind --compare    # the blind set beside the corpus

`tests/dev/` and `tests/blind/` were written by people who had not read the rules, from real
incidents. Their posts are labelled with the six content rules only; an argument there may be
with another councillor. The blind set is never tuned on: a look at it is recorded in its README.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.config.policy import Policy, load_policy  # noqa: E402
from auditor.engine.context import AccountInfo, AuditContext, EmergencyInfo, MeetingInfo  # noqa: E402
from auditor.engine.evaluate import enabled_rules, evaluate  # noqa: E402
from auditor.engine.rules import REGISTRY  # noqa: E402
from auditor.engine.rules.unmoderated_debate import thread_of  # noqa: E402
from auditor.engine.text import one_line  # noqa: E402
from auditor.records import Finding, PostView, severity_rank  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
SETS = {"corpus": CORPUS, "dev": ROOT / "tests" / "dev", "blind": ROOT / "tests" / "blind"}
# What the held-out sets label: the rules that judge what a post says.
CONTENT_RULES = ("in-camera", "decision-before-release", "unmoderated-debate", "emergency-protocol",
                 "official-account-politics", "tone")
POLICY = ROOT / "config" / "policy.yaml"
# Rules whose findings are about an account: labelled on the account, not on a post.
ACCOUNT_RULES = frozenset({"disclaimer", "cadence", "preferred-platforms"})
EXCHANGE_RULE = "unmoderated-debate"  # labelled on a reply, scored on the reply's exchange


def _kind(rule_id: str) -> str:
    return "account" if rule_id in ACCOUNT_RULES else "exchange" if rule_id == EXCHANGE_RULE else "post"

POST_KEYS = {"id", "by", "at", "text", "expect", "kind", "platform", "parent", "conversation", "feed", "deleted",
             "note"}
ACCOUNT_KEYS = {"platform", "handle", "kind", "councillor", "profile", "expect", "note"}

Item = tuple[str, str, str, str]  # (file, "post" | "account" | "exchange", platform, key)


class CorpusError(ValueError):
    """A corpus file that does not follow tests/corpus/README.md."""


@dataclass
class Scene:
    """One corpus file, ready for the engine: its context and its labels."""

    name: str
    ctx: AuditContext
    labels: dict[Item, set[str]]
    texts: dict[Item, str]
    notes: dict[Item, str] = field(default_factory=dict)
    content_only: bool = False  # a held-out set: content rules only, arguments with anyone


def _time(value: Any, tz: ZoneInfo) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _expect(spec: dict[str, Any], where: str, allowed: frozenset[str]) -> set[str]:
    expect = spec.get("expect")
    if not isinstance(expect, list):
        raise CorpusError(f"{where}: `expect` must be a list of rule ids ([] for none)")
    unknown = set(expect) - set(REGISTRY)
    if unknown:
        raise CorpusError(f"{where}: unknown rule ids {sorted(unknown)}")
    misplaced = set(expect) - allowed
    if misplaced:
        raise CorpusError(f"{where}: {sorted(misplaced)} cannot be labelled here")
    return set(expect)


def load_scene(path: Path, *, content_only: bool = False) -> Scene:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    name = path.name
    tz = ZoneInfo(data.get("timezone", "America/Edmonton"))
    labels: dict[Item, set[str]] = {}
    texts: dict[Item, str] = {}
    notes: dict[Item, str] = {}
    accounts = []
    for index, spec in enumerate(data["accounts"]):
        where = f"{name}: accounts[{index}]"
        if set(spec) - ACCOUNT_KEYS:
            raise CorpusError(f"{where}: unknown keys {sorted(set(spec) - ACCOUNT_KEYS)}")
        account = AccountInfo(spec["platform"], spec["handle"], spec["kind"], spec.get("councillor"), None,
                              spec.get("profile", ""))
        accounts.append(account)
        item = (name, "account", account.platform, account.handle.lower())
        labels[item] = _expect({"expect": spec.get("expect", [])}, where, ACCOUNT_RULES)
        texts[item] = f"{account.platform} account @{account.handle} ({account.kind}) profile: {account.profile!r}"
        if "note" in spec:
            notes[item] = spec["note"]
    handles: dict[str, list[AccountInfo]] = {}
    for account in accounts:
        handles.setdefault(account.handle, []).append(account)
    posts: list[PostView] = []
    by_id: dict[str, PostView] = {}
    for index, spec in enumerate(data["posts"]):
        where = f"{name}: posts[{index}] (id {spec.get('id')})"
        if set(spec) - POST_KEYS:
            raise CorpusError(f"{where}: unknown keys {sorted(set(spec) - POST_KEYS)}")
        parent = by_id.get(str(spec["parent"])) if "parent" in spec else None
        if "parent" in spec and parent is None:
            raise CorpusError(f"{where}: parent {spec['parent']} is not an earlier post")
        candidates = [a for a in handles.get(spec["by"], []) if a.platform == spec.get("platform", a.platform)]
        if len(candidates) > 1:
            raise CorpusError(f"{where}: say which platform {spec['by']} posts on")
        author = candidates[0] if candidates else None
        # A resident writes where the post they answer is; a comment is captured from that feed.
        platform = spec.get("platform") or (author.platform if author else parent.platform if parent else "x")
        post_id = str(spec["id"])
        if post_id in by_id:
            raise CorpusError(f"{where}: id used twice")
        # Feeds as the connectors capture them: Facebook comments from the Page they are on,
        # X replies from the writer's timeline (residents' from the timeline they answer).
        feed = spec.get("feed") or (
            parent.feed_account if parent and (platform == "facebook" or author is None) else spec["by"]
        )
        # X gives every tweet a conversation: the id of the tweet that started the thread.
        conversation = spec.get("conversation") or (
            (parent.conversation_id if parent else None) or post_id if platform == "x" else None
        )
        post = PostView(
            platform=platform,
            platform_id=post_id,
            feed_account=feed,
            author_id=spec["by"],
            author_handle=spec["by"],
            author_account=author.handle if author else None,
            councillor=author.councillor if author else None,
            kind=spec.get("kind", "reply" if "parent" in spec else "post"),
            text=spec["text"],
            created_at=_time(spec["at"], tz),
            url=None,
            parent_id=str(spec["parent"]) if "parent" in spec else None,
            conversation_id=str(conversation) if conversation else None,
            deleted_at=_time(spec["deleted"], tz) if "deleted" in spec else None,
        )
        posts.append(post)
        by_id[post_id] = post
        item = (name, "post", platform, post_id)
        labels[item] = _expect(spec, where, frozenset(REGISTRY) - ACCOUNT_RULES)
        texts[item] = spec["text"]
        if "note" in spec:
            notes[item] = spec["note"]
    meetings = [
        MeetingInfo(_time(m["start"], tz), _time(m["minutes_released"], tz) if m.get("minutes_released") else None,
                    m.get("title", "Council meeting"), tuple(m.get("agenda", [])),
                    tuple(m.get("in_camera_topics", [])))
        for m in data.get("meetings", [])
    ]
    emergencies = [
        EmergencyInfo(_time(e["start"], tz), _time(e["end"], tz), tuple(e.get("topics", [])))
        for e in data.get("emergencies", [])
    ]
    ctx = AuditContext(now=_time(data["now"], tz), tz=tz, posts=posts, accounts=accounts, meetings=meetings,
                       emergencies=emergencies,
                       preferred_platforms=tuple(data.get("preferred_platforms", ("facebook", "x", "youtube"))))
    # Exchanges: every councillor's replies to one resident in one thread; the label of any
    # of those replies is the exchange's.
    for post in posts:
        key = exchange_of(ctx, post, with_anyone=content_only)
        if key is None:
            continue
        item, post_item = (name, "exchange", post.platform, key), (name, "post", post.platform, post.platform_id)
        labels.setdefault(item, set())
        texts.setdefault(item, f"{post.author_account} replying in thread {key.split('|')[1]}: {post.text}")
        if EXCHANGE_RULE in labels[post_item]:
            labels[post_item].discard(EXCHANGE_RULE)
            labels[item].add(EXCHANGE_RULE)
            if post_item in notes:
                notes[item] = notes[post_item]
    for item, expected in labels.items():
        if item[1] == "post" and EXCHANGE_RULE in expected:
            raise CorpusError(f"{name}: {item[3]}: {EXCHANGE_RULE} labels a councillor's reply to a resident")
    return Scene(name, ctx, labels, texts, notes, content_only)


def exchange_of(ctx: AuditContext, post: PostView, with_anyone: bool = False) -> str | None:
    """"account|thread|person" for a councillor's reply to someone who is not a councillor (or, on
    the held-out sets, to anyone else: councillors argue with each other there too)."""
    if post.councillor is None or post.kind not in (("reply", "comment") if with_anyone else ("reply",)):
        return None
    parent = ctx.parent(post)
    if parent is None or not parent.author_id or parent.author_id == post.author_id:
        return None
    if parent.councillor is not None and not with_anyone:
        return None
    return f"{post.author_account}|{thread_of(post, ctx)}|{parent.author_id}"


def load_corpus(folder: Path = CORPUS) -> list[Scene]:
    content_only = folder.resolve() != CORPUS.resolve()
    return [load_scene(path, content_only=content_only) for path in sorted(folder.glob("*.yaml"))]


_FRENCH = re.compile(
    r"\b(le|la|les|des|une|est|pas|pour|avec|sur|dans|qui|que|mais|nous|vous|c'est|j'ai|ça|hier|"
    r"soir|conseil|ville|merci|faut|être|très|aussi|chez|leur|notre|votre|je|tu|mon|ma|mes|aux|du|"
    r"au|un|moi|oui|non)\b", re.IGNORECASE)
_ENGLISH = re.compile(
    r"\b(the|and|is|are|to|of|for|with|on|this|that|you|we|it|not|have|be|was|at|my|your|our|from|"
    r"they|will|just)\b", re.IGNORECASE)


def language(text: str) -> str:
    """"fr" or "en" by the function words a text uses (accented letters count for French)."""
    french = len(_FRENCH.findall(text)) + 2 * len(re.findall(r"[éèêàçùâîôû]", text, re.IGNORECASE))
    return "fr" if french > len(_ENGLISH.findall(text)) else "en"


def item_of(scene: Scene, finding: Finding) -> Item:
    if finding.rule in ACCOUNT_RULES:
        return (scene.name, "account", finding.platform, finding.account.lower())
    if finding.rule == EXCHANGE_RULE:
        post = next(p for p in scene.ctx.posts if p.platform == finding.platform and p.platform_id == finding.post_id)
        key = exchange_of(scene.ctx, post, with_anyone=scene.content_only)
        assert key is not None, "an argument is always a councillor's reply to someone"
        return (scene.name, "exchange", finding.platform, key)
    return (scene.name, "post", finding.platform, finding.post_id or finding.subject)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    positives: int = 0  # labelled
    negatives: int = 0  # items labelled without this rule

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Error:
    kind: str  # "false positive" | "false negative"
    rule: str
    item: Item
    text: str
    detail: str  # the finding's evidence and reason, or the label's note


@dataclass
class Result:
    scores: dict[str, Score]
    overall: Score
    errors: list[Error]
    posts: int
    accounts: int
    exchanges: int
    by_language: dict[str, dict[str, Score]] = field(default_factory=dict)  # "en" | "fr" -> rule -> score
    folder: Path = CORPUS
    min_severity: str = "info"
    low: Counter[str] = field(default_factory=Counter)  # findings below min_severity: "labelled" | "clean"
    clean_items: int = 0  # items labelled with none of the scored rules


def measure(scenes: list[Scene] | None = None, policy: Policy | None = None, min_severity: str = "info") -> Result:
    """Run the engine over every scene and compare with the labels."""
    scenes = load_corpus() if scenes is None else scenes
    policy = load_policy(POLICY) if policy is None else policy
    rules = enabled_rules(policy)
    scored = CONTENT_RULES if scenes and scenes[0].content_only else tuple(REGISTRY)
    scores = {rule_id: Score() for rule_id in scored}
    by_language: dict[str, dict[str, Score]] = {lang: {r: Score() for r in scored} for lang in ("en", "fr")}
    errors: list[Error] = []
    posts = accounts = exchanges = clean = 0
    low: Counter[str] = Counter()
    for scene in scenes:
        found: dict[Item, dict[str, Finding]] = {}
        below: dict[Item, set[str]] = {}
        for finding in evaluate(scene.ctx, rules):
            if severity_rank(finding.severity) < severity_rank(min_severity):
                below.setdefault(item_of(scene, finding), set()).add(finding.rule)
                continue
            found.setdefault(item_of(scene, finding), {}).setdefault(finding.rule, finding)
        for item, fired in below.items():
            expected = scene.labels.get(item, set())
            for rule in fired & set(scored):
                low["labelled" if rule in expected else "clean"] += 1
        if scene.content_only:
            found = {item: {r: f for r, f in fired.items() if r in scored} for item, fired in found.items()}
            found = {item: fired for item, fired in found.items() if fired}
        unknown = set(found) - set(scene.labels)
        if unknown:
            raise CorpusError(f"{scene.name}: findings about items the corpus does not hold: {sorted(unknown)}")
        for item, expected in scene.labels.items():
            posts += item[1] == "post"
            accounts += item[1] == "account"
            exchanges += item[1] == "exchange"
            fired = found.get(item, {})
            clean += not (expected & set(scored))
            lang = language(scene.texts[item])
            for rule_id, score in scores.items():
                if _kind(rule_id) != item[1]:
                    continue
                wanted, got = rule_id in expected, rule_id in fired
                for tally in (score, by_language[lang][rule_id]):
                    tally.positives += wanted
                    tally.negatives += not wanted
                    tally.tp += wanted and got
                    tally.fp += got and not wanted
                    tally.fn += wanted and not got
                if got and not wanted:
                    f = fired[rule_id]
                    errors.append(Error("false positive", rule_id, item, scene.texts[item],
                                        f"evidence \u201c{one_line(f.evidence, 80)}\u201d: {f.reason}"))
                elif wanted and not got:
                    errors.append(Error("false negative", rule_id, item, scene.texts[item],
                                        scene.notes.get(item, "")))
    overall = Score()
    for score in scores.values():
        overall.tp, overall.fp, overall.fn = overall.tp + score.tp, overall.fp + score.fp, overall.fn + score.fn
        overall.positives += score.positives
        overall.negatives += score.negatives
    return Result(scores, overall, errors, posts, accounts, exchanges, by_language, min_severity=min_severity,
                  low=low, clean_items=clean)


def report(result: Result, quiet: bool = False) -> str:
    where = result.folder.relative_to(ROOT) if result.folder.is_relative_to(ROOT) else result.folder
    lines = [
        f"{where}: {result.posts} posts and replies, {result.accounts} accounts, {result.exchanges} exchanges",
        f"findings counted at {result.min_severity} severity and above" + (
            f"; below it: {result.low['labelled']} on labelled items, {result.low['clean']} on "
            f"{result.clean_items} clean ones" if result.min_severity != "info" else ""),
        "",
        f"{'rule':<27} {'labelled':>8} {'negative':>8} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}",
    ]
    for rule_id, s in [*result.scores.items(), ("overall", result.overall)]:
        lines.append(f"{rule_id:<27} {s.positives:>8} {s.negatives:>8} {s.tp:>4} {s.fp:>4} {s.fn:>4} "
                     f"{s.precision:>9.2f} {s.recall:>7.2f}")
    if any(s.positives for s in result.by_language.get("fr", {}).values()):
        lines += ["", f"{'by language':<27} {'en P':>6} {'en R':>6} {'en n':>5}   {'fr P':>6} {'fr R':>6} {'fr n':>5}"]
        for rule_id in result.scores:
            en, fr = result.by_language["en"][rule_id], result.by_language["fr"][rule_id]
            lines.append(f"{rule_id:<27} {en.precision:>6.2f} {en.recall:>6.2f} {en.positives:>5}   "
                         f"{fr.precision:>6.2f} {fr.recall:>6.2f} {fr.positives:>5}")
    if not quiet:
        counts = Counter(e.kind for e in result.errors)
        lines += ["", f"{counts['false positive']} false positives, {counts['false negative']} false negatives"]
        for e in sorted(result.errors, key=lambda e: (e.rule, e.kind, e.item)):
            file, kind, platform, key = e.item
            lines.append(f"- {e.kind}: {e.rule}: {file} {kind} {platform}/{key}: \u201c{one_line(e.text, 160)}\u201d")
            if e.detail:
                lines.append(f"    {one_line(e.detail, 200)}")
    return "\n".join(lines)


def side_by_side(results: dict[str, Result]) -> str:
    """Each set's precision and recall per rule, in columns."""
    names = list(results)
    rules = [r for r in CONTENT_RULES if all(r in res.scores for res in results.values())]
    head = f"{'rule':<27}" + "".join(f" {name + ' P':>11} {name + ' R':>9}" for name in names)
    lines = [head]
    for rule_id in rules:
        lines.append(f"{rule_id:<27}" + "".join(
            f" {results[n].scores[rule_id].precision:>11.2f} {results[n].scores[rule_id].recall:>9.2f}" for n in names))
    return "\n".join(lines)


def measure_set(name: str, min_severity: str | None = None) -> Result:
    """The held-out sets are measured as the report reads them: medium and high findings."""
    folder = SETS[name]
    scenes = load_corpus(folder)
    if not scenes:
        raise CorpusError(f"{folder}: no labelled files here")
    result = measure(scenes, min_severity=min_severity or ("info" if name == "corpus" else "medium"))
    result.folder = folder
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="which", choices=sorted(SETS), default="corpus", help="which labelled set")
    parser.add_argument("--compare", action="store_true", help="also print the content rules beside the corpus")
    parser.add_argument("--quiet", action="store_true", help="the table only")
    parser.add_argument("--min-severity", choices=["info", "low", "medium", "high"],
                        help="count findings at this severity and above "
                             "(default: every finding on the corpus, medium elsewhere)")
    args = parser.parse_args()
    result = measure_set(args.which, args.min_severity)
    print(report(result, quiet=args.quiet))
    if args.compare and args.which != "corpus":
        print("\n" + side_by_side({"corpus": measure_set("corpus"), args.which: result}))
    below = [r for r, s in result.scores.items() if s.precision < 0.9 or s.recall < 0.9]
    if below:
        print(f"\nbelow 0.9: {', '.join(below)}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
