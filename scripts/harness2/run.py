#!/usr/bin/env python3
"""Run the second quality harness: generate a seeded workload on dev or test sites, ingest it
with the real binary into a fresh store in a temporary folder, read `export` and `log`, score.

    python3 scripts/harness2/run.py --sites dev --seed 1 --bin target/release/shingled

Prints a table of figures and writes them as JSON (--json, default
target/harness2/<sites>-<seed>.json). Failure dumps (which page, what was wrong) are written
only for dev sites (--dumps, default target/harness2/<sites>-<seed>-failures.json); for test
sites only the aggregate figures exist, by design (docs/HARNESS2.md).
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import score  # noqa: E402
import workload  # noqa: E402

GOALS = {"cluster_f1": 0.98, "two_story_split": 0.95, "title_exact": 0.95, "block_precision": 0.98,
         "paragraph_recall": 0.99, "update_newest": 1.0, "lookalikes_apart": 1.0,
         "captions_once": 1.0, "quarantine_correct": 1.0, "changelog_sane": 1.0, "deterministic": 1.0,
         "byte_copies_unchanged": 1.0}


def sites_for(name: str):
    if name == "dev":
        import sites_dev

        return sites_dev.SITES
    import sites_test

    return sites_test.SITES


def _ndjson(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def run_binary(binary: str, folder: Path, order: list[str]) -> tuple[list, list, list, float]:
    store = folder / "state"
    cfg = folder / "shingled.toml"
    cfg.write_text(
        "[paths]\n"
        + "".join(f'{k} = "{store / k}"\n' for k in ("drop", "archive", "quarantine", "store"))
    )
    t0 = time.monotonic()
    files = [str(folder / "pages" / n) for n in order]
    ing = subprocess.run([binary, "ingest", "--config", str(cfg), *files], capture_output=True, text=True)
    secs = time.monotonic() - t0
    if ing.returncode != 0:
        sys.exit(f"harness2: ingest failed ({ing.returncode}): {ing.stderr[-2000:]}")
    out = []
    for cmd in ("export", "log"):
        p = subprocess.run([binary, cmd, "--config", str(cfg)], capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"harness2: {cmd} failed ({p.returncode}): {p.stderr[-2000:]}")
        out.append(_ndjson(p.stdout))
    return _ndjson(ing.stdout), out[0], out[1], secs


def _without_clock(log: list, export: list) -> tuple:
    """The log and export with the informational times taken out (`at`, `received`)."""
    ev = [{k: v for k, v in e.items() if k != "at"} for e in log]
    ex = [dict(a, sources=[{k: v for k, v in s.items() if k != "received"} for s in a.get("sources", [])])
          for a in export]
    return ev, ex


def run(sites: str, seed: int, binary: str, stories: int = 320, keep: Path | None = None,
        determinism: bool = True, fmt: str = "text") -> dict:
    with tempfile.TemporaryDirectory(prefix="harness2-") as tmp:
        folder = keep or Path(tmp)
        truth = workload.generate(sites_for(sites), seed, sites, folder / "pages", stories, fmt)
        ingest, export, log, secs = run_binary(binary, folder, truth["order"])
        result = score.score(truth, ingest, export, log, dumps=sites == "dev")
        if determinism:
            again = folder / "again"
            again.mkdir()
            (again / "pages").symlink_to(folder / "pages")
            _, export2, log2, _ = run_binary(binary, again, truth["order"])
            same = _without_clock(log, export) == _without_clock(log2, export2)
            result["figures"]["deterministic"] = 1.0 if same else 0.0
    result["workload"] = {"sites": sites, "seed": seed, "stories": stories, "format": fmt, **truth["counts"]}
    result["report"]["ingest_seconds"] = round(secs, 3)
    return result


def table(result: dict) -> str:
    w = result["workload"]
    rows = [f"harness2  sites={w['sites']}  seed={w['seed']}  format={w['format']}  stories={w['stories']}  files={w['files']}",
            f"{'figure':34} {'value':>8} {'goal':>6}"]
    for k, v in result["figures"].items():
        g = GOALS.get(k)
        mark = "" if g is None or v is None else ("  ok" if v >= g else "  BELOW")
        val = "n/a" if v is None else f"{v:.4f}"
        rows.append(f"{k:34} {val:>8} {'' if g is None else g:>6}{mark}")
    r = result["report"]
    rows.append(f"articles {r['articles']}, blocks {r['blocks']} ({r['blocks_fuzzy']} by 3-grams, "
                f"{r['blocks_unattributed']} unattributed), title_inferred {r['title_inferred']:.3f}, "
                f"ingest {r['ingest_seconds']} s")
    rows.append(f"event kinds: {r['event_kinds']}")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", choices=["dev", "test"], required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", default="target/release/shingled")
    ap.add_argument("--format", choices=["text", "html"], default="text",
                    help="render the pages as plain text (the spec's version 1) or as HTML")
    ap.add_argument("--stories", type=int, default=320, help="workload size (the spec's is 320)")
    ap.add_argument("--json", type=Path, help="where to write the figures")
    ap.add_argument("--dumps", type=Path, help="where to write failure dumps (dev only)")
    ap.add_argument("--keep", type=Path, help="keep the pages and the store in this folder (dev only)")
    ap.add_argument("--no-determinism", action="store_true",
                    help="skip the second ingest of the same files that checks the same log and export")
    a = ap.parse_args()
    if a.keep and a.sites != "dev":
        sys.exit("harness2: --keep is for dev sites only (test-site failures are not to be looked at)")
    if not Path(a.bin).exists():
        sys.exit(f"harness2: binary {a.bin} not found (cargo build --release)")
    result = run(a.sites, a.seed, a.bin, a.stories, a.keep, not a.no_determinism, a.format)
    fails = result.pop("failures", None)
    by_site = result.pop("by_site", None)
    kinds = result.pop("failure_kinds", None)
    tag = "" if a.format == "text" else f"-{a.format}"
    out = a.json or Path("target/harness2") / f"{a.sites}-{a.seed}{tag}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    if fails is not None:
        d = a.dumps or out.with_name(f"{a.sites}-{a.seed}{tag}-failures.json")
        d.write_text(json.dumps({"by_site": by_site, "failure_kinds": kinds, "failures": fails},
                                indent=1, ensure_ascii=False) + "\n")
        print(f"failures: {len(fails)} in {d}")
        figs = ["title_exact", "block_precision", "paragraph_recall", "two_story_split"]
        print(f"{'dev site':10}" + "".join(f"{f:>18}" for f in figs))
        for site, d2 in by_site.items():
            print(f"{str(site):10}" + "".join(f"{'' if d2.get(f) is None else round(d2[f], 3):>18}" for f in figs))
        print("failure kinds: " + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    print(table(result))
    print(f"figures: {out}")


if __name__ == "__main__":
    main()
