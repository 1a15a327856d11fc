"""Small consistency checker for the development set (tests/dev/*.yaml).

Usage: python tests/dev/check_dev_set.py
Checks format rules from the brief and prints counts per rule and language.
It does not import or run the product.
"""
import glob
import os
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

import yaml

RULES = {"in-camera", "decision-before-release", "unmoderated-debate",
         "emergency-protocol", "official-account-politics", "tone"}
POST_KEYS = {"id", "by", "at", "text", "expect", "kind", "platform", "parent",
             "conversation", "feed", "deleted", "note"}
ACCOUNT_KEYS = {"platform", "handle", "kind", "councillor", "profile", "note"}
FR_WORDS = set("""le la les des est et pis une un je tu il elle on nous vous ils ça ca c'est
pas plus avec pour dans sur mais qui que quoi mon ma mes ton ta tes son sa ses notre votre
leur au aux du de ce cette ces ben chu j'ai t'as y'a faut va vont été être avoir fait merci
oui non aussi encore toujours rien tout tous toute conseil ville adopté voté""".split())
EN_WORDS = set("""the and is are to of in on for with that this it you we they was were be
have has not but our your my at from by just will can about what who all out""".split())


def lang(text):
    toks = re.findall(r"[a-zàâçéèêëîïôûùüÿœ']+", text.lower())
    fr = sum(t in FR_WORDS for t in toks)
    en = sum(t in EN_WORDS for t in toks)
    return "fr" if fr > en else "en"


def to_dt(value, tz_offset_guess):
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz_offset_guess(value))
    s = str(value)
    dt = datetime.fromisoformat(s)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz_offset_guess(dt))
    return dt


def edmonton_offset(dt):
    # DST 2027: Mar 14 02:00 to Nov 7 02:00 (local)
    naive = dt.replace(tzinfo=None)
    if datetime(2027, 3, 14, 2) <= naive < datetime(2027, 11, 7, 2):
        return timezone(timedelta(hours=-6))
    return timezone(timedelta(hours=-7))


def check(path, seen_ids, errors):
    d = yaml.safe_load(open(path, encoding="utf-8"))
    prefix = os.path.basename(path)[0]
    accts = d["accounts"]
    by_handle = defaultdict(list)
    for a in accts:
        extra = set(a) - ACCOUNT_KEYS
        if extra:
            errors.append(f"{path}: account keys {extra}")
        by_handle[a["handle"]].append(a)
    meetings = d.get("meetings", [])
    emergencies = d.get("emergencies", [])
    posts = {}
    order = []
    stats = []
    now = to_dt(d["now"], edmonton_offset)
    for p in d["posts"]:
        pid = p.get("id")
        extra = set(p) - POST_KEYS
        if extra:
            errors.append(f"{pid}: bad keys {extra}")
        for k in ("id", "by", "at", "text", "expect"):
            if k not in p:
                errors.append(f"{pid}: missing {k}")
        if not str(pid).startswith(prefix):
            errors.append(f"{pid}: prefix should be {prefix}")
        if pid in seen_ids:
            errors.append(f"{pid}: duplicate id")
        seen_ids.add(pid)
        at = to_dt(p["at"], edmonton_offset)
        if at > now:
            errors.append(f"{pid}: after now")
        labels = set(p["expect"])
        if labels - RULES:
            errors.append(f"{pid}: unknown labels {labels - RULES}")
        acc_list = by_handle.get(p["by"], [])
        parent = posts.get(p.get("parent")) if p.get("parent") else None
        if p.get("parent") and parent is None:
            errors.append(f"{pid}: parent {p['parent']} not earlier in file")
        if parent and at <= parent["_at"]:
            errors.append(f"{pid}: not after its parent")
        # platform resolution
        if len(acc_list) > 1 and "platform" not in p:
            errors.append(f"{pid}: handle {p['by']} on several platforms, needs platform")
        if "platform" in p:
            plat = p["platform"]
        elif len(acc_list) == 1:
            plat = acc_list[0]["platform"]
        elif parent:
            plat = parent["_platform"]
        else:
            errors.append(f"{pid}: cannot resolve platform")
            plat = None
        acc = next((a for a in acc_list if a["platform"] == plat), None)
        if acc_list and acc is None:
            errors.append(f"{pid}: {p['by']} has no account on {plat}")
        if parent and plat != parent["_platform"]:
            errors.append(f"{pid}: platform {plat} differs from parent {parent['_platform']}")
        kind = p.get("kind", "reply" if parent else "post")
        if parent and kind not in ("reply", "comment"):
            errors.append(f"{pid}: reply kind {kind}")
        if not parent and kind in ("reply", "comment"):
            errors.append(f"{pid}: {kind} without parent")
        is_cllr = bool(acc and acc.get("councillor"))
        if labels and not is_cllr:
            errors.append(f"{pid}: labels on a non-councillor post")
        root = parent
        while root and root.get("_parent"):
            root = posts[root["_parent"]]
        root_official = bool(root and root["_official"]) or bool(acc and acc["kind"] == "official-city" and False)
        if "official-account-politics" in labels and not (parent and root_official):
            errors.append(f"{pid}: OAP label but thread root is not an official-city post")
        if "decision-before-release" in labels:
            ok = False
            for m in meetings:
                st = to_dt(m["start"], edmonton_offset)
                rel = to_dt(m["minutes_released"], edmonton_offset) if m.get("minutes_released") else None
                if at > st and (rel is None or at < rel):
                    ok = True
            if not ok:
                errors.append(f"{pid}: dbr label outside any meeting->minutes window")
        in_em = any(to_dt(e["start"], edmonton_offset) <= at <= to_dt(e["end"], edmonton_offset) for e in emergencies)
        if "emergency-protocol" in labels and not in_em:
            errors.append(f"{pid}: emergency label outside the emergency windows")
        p["_at"], p["_platform"], p["_parent"] = at, plat, p.get("parent")
        p["_official"] = bool(acc and acc["kind"] == "official-city")
        posts[pid] = p
        order.append(pid)
        stats.append((pid, labels, lang(p["text"]), is_cllr))
    return stats


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    files = sorted(glob.glob(os.path.join(here, "*.yaml")))
    errors, seen, allstats = [], set(), []
    for f in files:
        allstats += check(f, seen, errors)
    for e in errors:
        print("ERROR", e)
    by_rule = {r: Counter() for r in RULES}
    langs = Counter()
    for _pid, labels, lg, _ in allstats:
        langs[lg] += 1
        for r in labels:
            by_rule[r][lg] += 1
    total = len(allstats)
    print(f"files: {len(files)}  posts: {total}  fr: {langs['fr']} ({langs['fr']/total:.1%})  en: {langs['en']}")
    for r in sorted(RULES):
        c = by_rule[r]
        print(f"  {r:28s} {sum(c.values()):3d}  (en {c['en']}, fr {c['fr']})")
    neg = sum(1 for s in allstats if not s[1])
    print(f"  posts with no label: {neg}")
    if "-v" in sys.argv:
        print("fr ids:", " ".join(s[0] for s in allstats if s[2] == "fr"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
