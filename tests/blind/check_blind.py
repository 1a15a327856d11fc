"""Format checker and counter for the blind test set (tests/blind/*.yaml).

Usage: python tests/blind/check_blind.py
Checks the file format described in tests/blind/README.md and prints counts
per rule and per language. It does not import or run the product.
"""
import datetime as dt
import glob
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SCORED = {"in-camera", "decision-before-release", "unmoderated-debate",
          "emergency-protocol", "official-account-politics", "tone"}
POST_KEYS = {"id", "by", "at", "text", "expect", "kind", "platform", "parent",
             "conversation", "feed", "deleted", "note"}
ACCOUNT_KEYS = {"platform", "handle", "kind", "councillor", "profile", "note"}
ACCOUNT_KINDS = {"personal", "representative", "official-city"}
PLATFORMS = {"facebook", "x", "youtube", "bluesky", "mastodon", "instagram"}

FR_WORDS = re.compile(
    r"\b(le|la|les|des|une|est|pas|pour|avec|sur|dans|qui|que|mais|nous|vous|"
    r"c'est|j'ai|on|ça|hier|soir|conseil|ville|merci|fermée?s?|tabarnak|criss|"
    r"pis|ben|asteure|ouin|icitte|faut|être|très|aussi|chez|leur|notre|votre|"
    r"je|tu|t'es|ta|ton|mon|ma|mes|aux|du|au|un|juste|m'en|moi|toi|oui|non)\b",
    re.I)
EN_WORDS = re.compile(
    r"\b(the|and|is|are|to|of|for|with|on|this|that|you|we|it|not|have|be|"
    r"was|at|my|your|our|from|they|will|just)\b", re.I)


def lang(text):
    fr = len(FR_WORDS.findall(text)) + 2 * len(re.findall(r"[éèêàçùâîôû]", text))
    en = len(EN_WORDS.findall(text))
    return "fr" if fr > en else "en"


def parse_time(value, tz_default=None):
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz_default)
    s = str(value)
    t = dt.datetime.fromisoformat(s)
    return t if t.tzinfo else t.replace(tzinfo=tz_default)


def main():
    from zoneinfo import ZoneInfo
    errors = []
    seen_ids = {}
    totals = {}
    n_posts = 0
    lang_count = {"en": 0, "fr": 0}
    for path in sorted(glob.glob(os.path.join(HERE, "*.yaml"))):
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        tz = ZoneInfo(doc["timezone"])
        for key in ("title", "now", "timezone", "meetings", "accounts", "posts"):
            if key not in doc:
                errors.append(f"{name}: missing {key}")
        now = parse_time(doc["now"], tz)
        meetings = []
        for m in doc.get("meetings", []):
            start = parse_time(m["start"], tz)
            rel = parse_time(m["minutes_released"], tz) if "minutes_released" in m else None
            if rel and rel <= start:
                errors.append(f"{name}: minutes before meeting {m['title']}")
            meetings.append((start, rel, m))
        windows = [(parse_time(e["start"], tz), parse_time(e["end"], tz))
                   for e in doc.get("emergencies", [])]
        acc_platforms = {}
        acc_kind = {}
        for a in doc["accounts"]:
            bad = set(a) - ACCOUNT_KEYS
            if bad:
                errors.append(f"{name}: account {a.get('handle')} bad keys {bad}")
            if a["kind"] not in ACCOUNT_KINDS:
                errors.append(f"{name}: account {a['handle']} bad kind")
            if a["platform"] not in PLATFORMS:
                errors.append(f"{name}: account {a['handle']} bad platform")
            if a["kind"] != "official-city" and "councillor" not in a:
                errors.append(f"{name}: account {a['handle']} lacks councillor")
            acc_platforms.setdefault(a["handle"], set()).add(a["platform"])
            acc_kind[(a["handle"], a["platform"])] = a["kind"]
        posts = {}
        for p in doc["posts"]:
            n_posts += 1
            pid = p.get("id")
            bad = set(p) - POST_KEYS
            if bad:
                errors.append(f"{name}: {pid} bad keys {bad}")
            for key in ("id", "by", "at", "text", "expect"):
                if key not in p:
                    errors.append(f"{name}: {pid} missing {key}")
            if pid in seen_ids:
                errors.append(f"{name}: duplicate id {pid} (also in {seen_ids[pid]})")
            seen_ids[pid] = name
            at = parse_time(p["at"], tz)
            if at > now:
                errors.append(f"{name}: {pid} after now")
            # platform resolution
            by = p["by"]
            parent = posts.get(p.get("parent")) if "parent" in p else None
            if "parent" in p and parent is None:
                errors.append(f"{name}: {pid} parent {p['parent']} not earlier in file")
            if parent is not None and parent["_at"] >= at:
                errors.append(f"{name}: {pid} not after its parent")
            if "platform" in p:
                plat = p["platform"]
            elif by in acc_platforms and len(acc_platforms[by]) == 1:
                plat = next(iter(acc_platforms[by]))
            elif parent is not None:
                plat = parent["_platform"]
            else:
                plat = None
                errors.append(f"{name}: {pid} platform unknown")
            if by in acc_platforms and plat not in acc_platforms[by]:
                errors.append(f"{name}: {pid} {by} has no {plat} account")
            if by in acc_platforms and len(acc_platforms[by]) > 1 and "platform" not in p:
                errors.append(f"{name}: {pid} {by} on two platforms needs platform:")
            if parent is not None and plat != parent["_platform"]:
                errors.append(f"{name}: {pid} platform {plat} differs from parent")
            kind = p.get("kind", "reply" if parent is not None else "post")
            if parent is None and kind != "post":
                errors.append(f"{name}: {pid} kind {kind} without parent")
            root = parent["_root"] if parent is not None else p
            root_kind = acc_kind.get((root["by"], root.get("_platform", plat)))
            if parent is not None and plat == "facebook" and root_kind in (
                    "official-city", "representative") and kind != "comment":
                errors.append(f"{name}: {pid} should be kind: comment (facebook Page thread)")
            exp = p.get("expect")
            if not isinstance(exp, list):
                errors.append(f"{name}: {pid} expect not a list")
                exp = []
            for label in exp:
                if label not in SCORED:
                    errors.append(f"{name}: {pid} unknown label {label}")
            author_kind = acc_kind.get((by, plat))
            is_councillor = author_kind in ("personal", "representative")
            if exp and not is_councillor:
                errors.append(f"{name}: {pid} non-councillor post carries labels")
            on_city = root_kind == "official-city" and parent is not None
            if "official-account-politics" in exp and not on_city:
                errors.append(f"{name}: {pid} oap label but not in a City thread")
            in_window = any(s <= at <= e for s, e in windows)
            if "emergency-protocol" in exp and not in_window:
                errors.append(f"{name}: {pid} emergency label outside window")
            if "decision-before-release" in exp:
                ok = any(s < at and (r is None or at < r) for s, r, _ in meetings)
                if not ok:
                    errors.append(f"{name}: {pid} decision label outside meeting->minutes gap")
            if "unmoderated-debate" in exp and parent is None:
                errors.append(f"{name}: {pid} debate label on a root post")
            if not isinstance(p["text"], str) or not p["text"].strip():
                errors.append(f"{name}: {pid} empty text")
            lg = lang(p["text"])
            lang_count[lg] += 1
            for label in SCORED:
                pos = label in exp
                key = (label, "pos" if pos else "neg", lg)
                totals[key] = totals.get(key, 0) + 1
            posts[pid] = dict(p, _at=at, _platform=plat, _root=root)
            if parent is None:
                posts[pid]["_root"] = posts[pid]
                posts[pid]["_root"]["_platform"] = plat
    for e in errors:
        print("ERROR", e)
    print(f"posts: {n_posts}  english: {lang_count['en']}  french: {lang_count['fr']}"
          f"  french share: {lang_count['fr'] / max(n_posts, 1):.1%}")
    print(f"{'rule':28} {'pos en':>7} {'pos fr':>7} {'pos':>5} {'neg en':>7} {'neg fr':>7}")
    for label in sorted(SCORED):
        pe = totals.get((label, "pos", "en"), 0)
        pf = totals.get((label, "pos", "fr"), 0)
        ne = totals.get((label, "neg", "en"), 0)
        nf = totals.get((label, "neg", "fr"), 0)
        print(f"{label:28} {pe:7} {pf:7} {pe + pf:5} {ne:7} {nf:7}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
