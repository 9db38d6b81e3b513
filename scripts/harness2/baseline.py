#!/usr/bin/env python3
"""All the harness's workloads in one go: dev and test sites, seeds 1 and 2, text and HTML;
prints the figures as the Markdown tables of docs/HARNESS2.md ("Baseline"). Aggregates only
(no failure dumps, not even for dev sites).

    python3 scripts/harness2/baseline.py --bin target/release/shingled [--formats text,html]
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402

ORDER = ["cluster_precision", "cluster_recall", "cluster_f1", "two_story_split", "two_story_split_sep",
         "two_story_split_glued", "two_story_split_standalone_first", "two_story_split_standalone_after",
         "false_split", "false_split_internal_dateline", "title_exact", "title_exact_first_page_titleless",
         "block_precision", "paragraph_recall", "update_newest", "update_newest_in_order",
         "update_newest_reversed", "update_newest_mixed", "update_newest_no_late_old_copy",
         "update_newest_late_old_copy", "update_exact", "lookalikes_apart", "captions_once",
         "caption_recall", "stock_kept", "quarantine_correct", "byte_copies_unchanged", "changelog_sane",
         "deterministic"]
RUNS = [("dev", 1), ("dev", 2), ("test", 1), ("test", 2)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/shingled")
    ap.add_argument("--formats", default="text,html")
    ap.add_argument("--json", type=Path, help="also write every run's figures here")
    a = ap.parse_args()
    everything = {}
    for fmt in a.formats.split(","):
        res = {}
        for sites, seed in RUNS:
            r = run.run(sites, seed, a.bin, fmt=fmt)
            r.pop("failures", None)
            r.pop("by_site", None)
            r.pop("failure_kinds", None)
            res[(sites, seed)] = r
            everything[f"{fmt}-{sites}-{seed}"] = r
        print(f"\n{fmt}:\n")
        print("| figure | dev seed 1 | dev seed 2 | test seed 1 | test seed 2 | goal |")
        print("|---|---|---|---|---|---|")
        for k in ORDER + sorted(set(res[RUNS[0]]["figures"]) - set(ORDER)):
            vals = [res[r]["figures"].get(k) for r in RUNS]
            g = run.GOALS.get(k)
            cells = " | ".join("n/a" if v is None else f"{v:.3f}" for v in vals)
            print(f"| `{k}` | {cells} | {'' if g is None else g} |")
    if a.json:
        a.json.write_text(json.dumps(everything, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
