#!/usr/bin/env python3
"""Self-test of the harness's scorer: a hand-made perfect answer (what a flawless shingled
would print for a small workload) scores 1.0 on every figure, and each kind of broken answer
lowers the figure that is meant to catch it, and only through the scorer's own logic.

    python3 scripts/harness2/selftest.py

Needs the corpus (../shared/corpus or $SHINGLED_CORPUS), like the harness; exits 1 on failure.
"""

import copy
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import score  # noqa: E402
import sites_dev  # noqa: E402
import workload  # noqa: E402


def perfect(truth: dict) -> tuple[list, list, list]:
    """ingest lines, export, log of a flawless run."""
    T = score.Truth(truth)
    arts: dict = {}
    ingest, log = [], []
    first_file: dict = {}
    for name in truth["order"]:
        f = truth["files"][name]
        if f["junk"]:
            log.append({"seq": len(log) + 1, "kind": "file.quarantined", "article": None,
                        "version": None, "file": name, "reason": "empty"})
            ingest.append({"file": name, "outcome": "quarantined", "articles": []})
            continue
        ids = ["a" + p["story"] for p in f["parts"]]
        if f["byte_copy_of"]:
            log.append({"seq": len(log) + 1, "kind": "file.unchanged", "article": ids[0],
                        "version": arts[ids[0]]["version"], "file": name, "articles": ids})
            ingest.append({"file": name, "outcome": "unchanged",
                           "articles": [{"id": i, "seq": len(log), "change": "duplicate"} for i in ids]})
            continue
        entries = []
        for p, aid in zip(f["parts"], ids):
            a = arts.setdefault(aid, {"id": aid, "version": 0, "sources": [], "story": p["story"]})
            change = "created" if a["version"] == 0 else "updated"
            a["version"] += 1
            a["sources"].append({"file": name})
            first_file.setdefault(p["story"], name)
            log.append({"seq": len(log) + 1, "kind": f"article.{change}", "article": aid,
                        "version": a["version"], "file": name})
            entries.append({"id": aid, "version": a["version"], "change": change, "seq": len(log)})
        ingest.append({"file": name, "outcome": "ingested", "articles": entries})
    export = []
    for aid, a in sorted(arts.items()):
        sid = a["story"]
        s = truth["stories"][sid]
        blocks = [{"kind": T.lid_kind[l], "text": T.lid_text[l]} for l in s["versions"][str(s["newest"])]]
        ff = truth["files"][first_file[sid]]
        caps = []
        for ln in ff["lines"]:
            if ln["r"] == "content" and ln["k"] == "caption" and ln["s"] == sid and ln["l"] not in caps:
                caps.append(ln["l"])
        blocks = [{"kind": "caption", "text": T.lid_text[l]} for l in caps] + blocks
        heads = sorted(T.headline_text.get(sid, ())) or [None]
        export.append({"id": aid, "version": a["version"], "title": heads[0],
                       "title_inferred": heads[0] is None, "blocks": blocks, "sources": a["sources"]})
    return ingest, export, log


def check(name: str, cond: bool, failures: list) -> None:
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures.append(name)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="harness2-selftest-") as tmp:
        truth = workload.generate(sites_dev.SITES, 7, "dev", Path(tmp) / "pages", 48)
    ing, exp, log = perfect(truth)
    fails: list = []
    base = score.score(truth, ing, exp, log, dumps=True)
    f = base["figures"]
    for k, v in f.items():
        want = 0.0 if k.startswith("false_split") else 1.0
        check(f"perfect answer: {k} = {want}", v == want, fails)
    check("perfect answer: no failure dumps", base["failures"] == [], fails)

    def broken(label, figure, mutate, worse=True):
        i2, e2, l2 = copy.deepcopy(ing), copy.deepcopy(exp), copy.deepcopy(log)
        mutate(i2, e2, l2)
        r = score.score(truth, i2, e2, l2, dumps=True)
        v = r["figures"][figure]
        ok = (v < f[figure]) if worse else (v > f[figure])
        check(f"{label}: {figure} {f[figure]} -> {v}", ok and any(x["figure"] == figure for x in r["failures"]), fails)


    def merge(i2, e2, l2):
        ts = truth["two_story"][0]
        a, b = "a" + ts["main"], "a" + ts["appended"]
        ea = next(x for x in e2 if x["id"] == a)
        eb = next(x for x in e2 if x["id"] == b)
        ea["blocks"] += eb["blocks"]
        ea["sources"] += eb["sources"]
        e2.remove(eb)

    broken("two stories in one article", "cluster_precision", merge)
    broken("two stories in one article", "two_story_split", merge)

    def split_story(i2, e2, l2):
        a = e2[0]
        half = len(a["sources"]) // 2 or 1
        e2.append({"id": "zz" + a["id"], "version": 1, "title": a["title"], "title_inferred": False,
                   "blocks": list(a["blocks"]), "sources": a["sources"][:half]})
        a["sources"] = a["sources"][half:]
        l2.append({"seq": len(l2) + 1, "kind": "article.created", "article": "zz" + a["id"], "version": 1,
                   "file": e2[-1]["sources"][0]["file"]})
        for e in l2:
            if e.get("file") in {s["file"] for s in e2[-1]["sources"]} and e.get("article") == a["id"]:
                e["article"] = "zz" + a["id"]
        for x in i2:
            for y in x["articles"]:
                if y["id"] == a["id"] and x["file"] in {s["file"] for s in e2[-1]["sources"]}:
                    y["id"] = "zz" + a["id"]

    multi = next(a for a in exp if len(a["sources"]) >= 2)
    exp.remove(multi)
    exp.insert(0, multi)
    broken("one story in two articles", "cluster_recall", split_story)

    def drop_para(i2, e2, l2):
        e2[1]["blocks"].pop()

    broken("a paragraph dropped", "paragraph_recall", drop_para)

    def chrome(i2, e2, l2):
        e2[2]["blocks"].append({"kind": "paragraph", "text": "Share this article"})

    broken("a share-bar line kept", "block_precision", chrome)

    def masthead(i2, e2, l2):
        e2[3]["title"] = "THE NORTHERN COURIER"

    broken("a masthead as title", "title_exact", masthead)

    def gap(i2, e2, l2):
        for e in l2[5:]:
            e["seq"] += 1

    broken("a gap in the change log", "changelog_sane", gap)

    def version(i2, e2, l2):
        e2[4]["version"] += 3

    broken("export version ahead of the log", "changelog_sane", version)

    def stale(i2, e2, l2):
        sid = next(s for s, v in sorted(truth["stories"].items()) if len(v["versions"]) >= 2)
        s = truth["stories"][sid]
        T = score.Truth(truth)
        a = next(x for x in e2 if x["id"] == "a" + sid)
        old = [l for l in s["versions"]["1"] if l not in s["versions"][str(s["newest"])]]
        a["blocks"] += [{"kind": "paragraph", "text": T.lid_text[l]} for l in old]

    broken("an older paragraph kept after an update", "update_newest", stale)

    def quarantine_good(i2, e2, l2):
        x = next(x for x in i2 if x["outcome"] == "ingested")
        x["outcome"] = "quarantined"

    broken("a good file quarantined", "quarantine_correct", quarantine_good)

    T = score.Truth(truth)

    def twice_shown(a):
        for b in a["blocks"]:
            sids, lids, _ = T.attribute(b["text"])
            for n in truth["order"]:
                fl = truth["files"][n]
                if fl["captions_twice"] and any(ln["l"] in lids and ln["k"] == "caption" for ln in fl["lines"]):
                    return b
        return None

    def byte_copy_anew(i2, e2, l2):
        x = next(x for x in i2 if x["outcome"] == "unchanged")
        x["outcome"] = "ingested"

    broken("a byte copy ingested anew", "byte_copies_unchanged", byte_copy_anew)

    def caption_twice(i2, e2, l2):
        a = next(x for x in e2 if twice_shown(x))
        a["blocks"].append(dict(twice_shown(a)))

    if f["captions_once"] is None:
        check("the workload has a caption shown twice and held", False, fails)
    else:
        broken("a caption kept twice", "captions_once", caption_twice)

    def lookalike(i2, e2, l2):
        sa, fa, sb, fb = truth["lookalikes"][0]
        ea = next(x for x in e2 if x["id"] == "a" + sa)
        eb = next(x for x in e2 if x["id"] == "a" + sb)
        ea["blocks"] += eb["blocks"]
        ea["sources"] += eb["sources"]
        e2.remove(eb)

    broken("template look-alikes merged", "lookalikes_apart", lookalike)
    # kinds added later (#12: a split, a retitle, a retired block) are accepted, and an article
    # named only by them still counts as having events
    ing3, exp3, log3 = copy.deepcopy(ing), copy.deepcopy(exp), copy.deepcopy(log)
    a = exp3[0]
    new_id = "split-" + a["id"]
    log3.append({"seq": len(log3) + 1, "kind": "article.split", "article": new_id, "version": 1,
                 "file": None, "split_from": a["id"], "part": 1})
    log3.append({"seq": len(log3) + 1, "kind": "article.retitled", "article": a["id"],
                 "version": a["version"], "file": None, "title": a["title"]})
    log3.append({"seq": len(log3) + 1, "kind": "block.retired", "article": None, "version": None,
                 "file": None, "block": "00" * 16, "articles": [{"id": a["id"], "version": a["version"]}]})
    exp3.append({"id": new_id, "version": 1, "title": None, "title_inferred": True, "blocks": [],
                 "sources": []})
    r = score.score(truth, ing3, exp3, log3, dumps=True)
    check("new event kinds accepted: changelog_sane = 1.0", r["figures"]["changelog_sane"] == 1.0, fails)
    check("new event kinds counted", r["report"]["unknown_event_kinds"] ==
          ["article.retitled", "article.split", "block.retired"], fails)
    if fails:
        sys.exit(f"selftest: {len(fails)} check(s) failed")
    print("selftest: all checks passed")


if __name__ == "__main__":
    main()
