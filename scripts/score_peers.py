#!/usr/bin/env python3
"""Score shingled's per-paragraph decisions (examples/peers_stream.rs) on a
peers benchmark stream, against the same truths the peers are scored on:

* brute: `dedup_peers.py --peers brute --keep-decisions DIR` (exact word-5-gram
  Jaccard >= 0.8 against some earlier paragraph): precision / recall / F1 of
  the decision "is a near-duplicate of an earlier paragraph";
* planted (make_variants.py truth.jsonl): recall over planted variants whose
  exact J5 to their parent is >= 0.8 (the peers' `planted_recall`), and over
  *all* planted variants (each is a revision of its parent: a word replaced,
  a sentence appended, ...), by kind.

shingled links more than J5 >= 0.8 resemblance (revisions at word-3-gram
Jaccard >= 0.6, extensions, truncations, pull quotes), so its flags that the
brute truth does not hold are split into planted variants (real
near-duplicates below J5 0.8) and the rest, and `precision_vs_brute_or_planted`
counts a flag right when either truth holds it.

    score_peers.py STREAM_DIR TRUTH_JSONL BRUTE_BIN MINE_PREFIX [--threshold 0.8]

MINE_PREFIX.bin holds the decisions (MINE_PREFIX.rel the relations, when
present); pointing it at a peer's kept decisions (without .bin) scores that
peer the same way, e.g. for `planted_recall_all`.

Imports the shingling of shared/peers/dedup_peers.py (path from
$PEERS_DIR or ../shared/peers next to this repository).
"""

import array
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.environ.get("PEERS_DIR", os.path.join(HERE, "..", "..", "shared", "peers"))
sys.path.insert(0, PEERS)
from dedup_peers import jaccard, list_inputs, normalize, read_all_paragraphs, shingle_set  # noqa: E402

RELATIONS = ["none", "exact", "revision", "extension", "truncation", "contained"]


def load(path):
    a = array.array("q")
    with open(path, "rb") as fh:
        a.frombytes(fh.read())
    return a


def prf(pred, truth):
    tp = sum(1 for p, t in zip(pred, truth) if p and t)
    fp = sum(1 for p, t in zip(pred, truth) if p and not t)
    fn = sum(1 for p, t in zip(pred, truth) if t and not p)
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(prec, 5), "recall": round(rec, 5), "f1": round(f1, 5)}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    t = 0.8
    if "--threshold" in sys.argv:
        t = float(sys.argv[sys.argv.index("--threshold") + 1])
    stream, truth_path, brute_path, prefix = args
    mine = load(prefix + ".bin")
    rel = open(prefix + ".rel", "rb").read() if os.path.exists(prefix + ".rel") else bytes(len(mine))
    brute = load(brute_path)
    rows = [json.loads(l) for l in open(truth_path, encoding="utf-8")]
    paras = read_all_paragraphs(list_inputs([stream]))
    n = len(paras)
    assert len(mine) == n == len(brute) == len(rows), (len(mine), n, len(brute), len(rows))
    S = {}

    def sh(i):
        if i not in S:
            S[i] = shingle_set(normalize(paras[i]))
        return S[i]

    pred = [m >= 0 for m in mine]
    truth = [b >= 0 for b in brute]
    planted = [r.get("parent", -1) >= 0 for r in rows]
    out = {"paragraphs": n, "flagged": sum(pred), "brute_truth": sum(truth), "vs_brute": prf(pred, truth)}
    either = [a or b for a, b in zip(truth, planted)]
    out["precision_vs_brute_or_planted"] = prf(pred, either)["precision"]
    extra = [i for i in range(n) if pred[i] and not truth[i]]
    out["flags_not_in_brute"] = {
        "total": len(extra),
        "planted_variants": sum(1 for i in extra if planted[i]),
        "other": sum(1 for i in extra if not planted[i]),
        "by_relation": {RELATIONS[k]: sum(1 for i in extra if rel[i] == k) for k in range(1, 6)},
    }
    missed = [i for i in range(n) if truth[i] and not pred[i]]
    out["brute_missed_words"] = sorted(len(normalize(paras[i]).split()) for i in missed)[:40]
    by = {}
    for i, r in enumerate(rows):
        p = r.get("parent", -1)
        if p < 0:
            continue
        ge = jaccard(sh(i), sh(p)) >= t
        d = by.setdefault(r["kind"], {"n": 0, "hit": 0, "n_ge_t": 0, "hit_ge_t": 0})
        d["n"] += 1
        d["hit"] += pred[i]
        d["n_ge_t"] += ge
        d["hit_ge_t"] += pred[i] and ge
    P = sum(v["n_ge_t"] for v in by.values())
    H = sum(v["hit_ge_t"] for v in by.values())
    out["planted_recall"] = round(H / P, 5) if P else None
    out["planted_recall_all"] = round(sum(v["hit"] for v in by.values()) / sum(v["n"] for v in by.values()), 5)
    out["planted_by_kind"] = {
        k: {"n": v["n"], "recall_all": round(v["hit"] / v["n"], 4),
            "n_ge_t": v["n_ge_t"], "recall_ge_t": round(v["hit_ge_t"] / v["n_ge_t"], 4) if v["n_ge_t"] else None}
        for k, v in sorted(by.items())
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
