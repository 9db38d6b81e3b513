#!/usr/bin/env python3
"""Instruction-count regression check for `shingled ingest` (callgrind).

Runs `shingled ingest -c CFG FILES...` on a fresh temporary store under
`valgrind --tool=callgrind --separate-threads=yes`, sums the instructions
executed (Ir) by the threads whose work does not depend on timing, and
compares them with the committed baseline `.ci/icount-baseline.json`.

Counted parts (docs/PERFORMANCE.md, "Regression check in CI", has the
measured spread behind this choice):

  writer   the main thread: start-up, store creation, and every file's
           decision and sled batch (`Committer::commit`, `flush`)
  reader   the `ingest` read-ahead thread: read, decode, normalize, segment,
           and the per-block preparation (`ingest::read_input`, `prepare`)

Not counted: sled's flusher and I/O pool threads. How much they do depends on
when they wake up: between identical runs their counts vary by several times,
and now and then by a hundred. They are printed for information.

The workload is a few hundred real articles from the shared corpus
(`SHINGLED_CORPUS`, or `../shared/corpus` beside the clone, as the tests
find it): the first files, sorted by path, of each listed folder. Its real
duplicates and re-sent stories give the dedup paths some work. A missing
corpus is an error, never a skip.

    python3 scripts/icount.py [--bin target/release/shingled]   # check
    python3 scripts/icount.py --update                          # rewrite the baseline
    python3 scripts/icount.py --runs 3                          # show the spread

Exit status: 0 within tolerance, 1 a counted part over baseline x (1 +
tolerance), 2 the check could not run (no corpus, no valgrind, no binary,
a baseline for another workload, ingest failed).

The script builds nothing: build the binary first (`cargo build --release`;
CI uses the one the README test command leaves in target/release/).
"""

import argparse
import collections
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".ci/icount-baseline.json"
DEFAULT_WORKLOAD = "bbc-news-2225/articles:100,reuters-21578/articles:200"
DEFAULT_TOLERANCE = 0.04
COUNTED = ("writer", "reader")
UPDATE_HINT = "python3 scripts/icount.py --update"

# What marks each thread in its callgrind file (function names it ran).
READER_MARK = "shingled::ingest::read_input"
SLED_MARKS = (("sled flusher", "sled::flusher::run"),
              ("sled I/O pool", "sled::threadpool::perform_work"))


class Fatal(Exception):
    """The check could not run (exit 2)."""


def corpus_root():
    # The same lookup as tests/util.rs: SHINGLED_CORPUS, else ../shared/corpus.
    p = Path(os.environ.get("SHINGLED_CORPUS") or ROOT.parent / "shared/corpus")
    if not p.is_dir():
        raise Fatal(f"THE CORPUS IS MISSING at {p}: set SHINGLED_CORPUS to the shared/corpus "
                    "folder. The instruction-count check needs it and never skips.")
    return p


def parse_workload(spec):
    out = []
    for item in spec.split(","):
        folder, _, n = item.strip().rpartition(":")
        if not folder or not n.isdigit() or int(n) < 1:
            raise Fatal(f"bad --workload item {item!r}: expected FOLDER:COUNT")
        out.append((folder, int(n)))
    return out


def workload_files(spec):
    root = corpus_root()
    files = []
    for folder, n in parse_workload(spec):
        d = root / folder
        if not d.is_dir():
            raise Fatal(f"THE CORPUS FOLDER IS MISSING: {d} (workload {spec!r})")
        found = sorted(p for p in d.iterdir() if p.suffix == ".txt" and p.is_file())
        if len(found) < n:
            raise Fatal(f"{d} holds {len(found)} .txt files, the workload wants {n}")
        files += found[:n]
    return files


def config(dirpath):
    """The project's default config, with its folders moved into dirpath
    (the same rewrite as scripts/bench.py)."""
    cfg = Path(dirpath) / "shingled.toml"
    base = (ROOT / "config/shingled.toml").read_text()
    for key in ("drop", "archive", "quarantine", "store"):
        base, n = re.subn(rf'(?m)^{key} = ".*"$', f'{key} = "{dirpath}/{key}"', base)
        if n != 1:
            raise Fatal(f"config/shingled.toml: cannot find the `{key} = \"...\"` line to move")
    cfg.write_text(base)
    return cfg


def clean_env():
    # A fixed, small environment: nothing that changes what the binary does
    # (JOURNAL_STREAM picks the log format, SHINGLED_FAILPOINT arms crash
    # points, VALGRIND_OPTS would change the measurement).
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
    for key in ("HOME", "TMPDIR", "VALGRIND_LIB"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def read_thread(path):
    """(Ir, set of function names) of one callgrind file."""
    total = None
    names = set()
    fn_line = re.compile(r"^c?fn=\(\d+\) (.*)$")
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(("fn=(", "cfn=(")):
                m = fn_line.match(line.rstrip("\n"))
                if m:
                    names.add(m.group(1))
            elif line.startswith("events:") and line.split()[1:] != ["Ir"]:
                raise Fatal(f"{path}: unexpected events {line.strip()!r} (want Ir only)")
            elif line.startswith(("summary:", "totals:")) and total is None:
                total = int(line.split()[1])
    if total is None:
        raise Fatal(f"{path}: no summary line (did callgrind finish?)")
    return total, names


def classify(tid, names):
    reader = any(n.startswith(READER_MARK) for n in names)
    sled = [label for label, mark in SLED_MARKS if any(n.startswith(mark) for n in names)]
    if (tid == 1 or reader) and sled:
        # valgrind reuses the id of an exited thread: two threads' counts merged
        return "mixed"
    if tid == 1:
        return "writer"
    if reader:
        return "reader"
    return sled[0] if sled else "other"


def measure_once(args, files, work):
    d = tempfile.mkdtemp(prefix="icount-", dir=work)
    try:
        cfg = config(d)
        out = Path(d) / "callgrind.out"
        # --fair-sched=yes: valgrind runs one thread at a time; its ticket lock
        # hands the turns out in order, so sled's spinning threads cannot hog
        # them (without it, one run in ten or so spent billions of
        # instructions and a minute spinning in sled's pool). The counted
        # threads execute the same code either way.
        cmd = ["valgrind", "--tool=callgrind", "--fair-sched=yes", "--separate-threads=yes",
               f"--callgrind-out-file={out}", args.bin, "ingest", "-c", str(cfg),
               *map(str, files)]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(),
                               cwd=d, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            raise Fatal(f"shingled ingest under callgrind took over {args.timeout} s")
        if p.returncode != 0:
            own = "\n".join(x for x in p.stderr.splitlines() if not re.match(r"==\d+==", x))
            raise Fatal(f"shingled ingest under callgrind failed ({p.returncode}):\n"
                        f"{(own.strip() or p.stderr)[-3000:]}")
        lines = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
        if len(lines) != len(files):
            raise Fatal(f"ingest printed {len(lines)} lines for {len(files)} files")
        outcomes = collections.Counter()
        for r in lines:
            outcomes[f"file.{r['outcome']}"] += 1
            for a in r.get("articles") or []:
                outcomes[f"article.{a.get('change')}"] += 1
        threads = []
        for f in sorted(Path(d).glob("callgrind.out-*")):
            tid = int(f.name.rsplit("-", 1)[1])
            ir, names = read_thread(f)
            kind = classify(tid, names)
            threads.append((tid, kind, ir))
            if args.keep:
                Path(args.keep).mkdir(parents=True, exist_ok=True)
                label = kind.replace(" ", "-").replace("/", "")
                name = kind if kind in COUNTED else f"{label}-{tid:02}"
                shutil.copy2(f, Path(args.keep) / f"{name}.callgrind")
        return threads, dict(sorted(outcomes.items()))
    finally:
        shutil.rmtree(d, ignore_errors=True)


def measure(args, files):
    """Per run: {part: Ir} for the counted parts and every other thread."""
    runs = []
    outcomes = None
    work = tempfile.gettempdir()
    for i in range(args.runs):
        for attempt in range(3):
            threads, oc = measure_once(args, files, work)
            kinds = [k for _, k, _ in threads]
            if "mixed" not in kinds:
                break
            print(f"  run {i + 1}: a thread id was reused (a counted thread's file also holds "
                  "sled's work); measuring again", file=sys.stderr)
        else:
            raise Fatal("three runs in a row merged a sled thread into a counted one")
        if kinds.count("writer") != 1 or kinds.count("reader") != 1:
            raise Fatal(f"expected one writer (main) thread and one reader thread (a thread "
                        f"that ran {READER_MARK}); found {kinds}. If ingest's threads "
                        "changed, update classify() in scripts/icount.py and docs/PERFORMANCE.md")
        if outcomes is not None and oc != outcomes:
            raise Fatal(f"ingest decided differently between identical runs: {outcomes} vs {oc}")
        outcomes = oc
        parts = collections.Counter()
        for _, kind, ir in threads:
            parts[kind] += ir  # the uncounted threads summed by kind
        runs.append(dict(parts))
        counted = sum(parts[k] for k in COUNTED)
        print(f"  run {i + 1}: " + ", ".join(f"{k} {parts[k]:,}" for k in COUNTED)
              + f" (counted {counted:,}); not counted: {not_counted(parts):,} in "
              f"{len(threads) - len(COUNTED)} threads", file=sys.stderr)
    return runs, outcomes


def not_counted(parts):
    return sum(v for k, v in parts.items() if k not in COUNTED)


def summarize(runs):
    """Median of each counted part, and the spread (max/min - 1) of every
    part seen in all runs, plus the not-counted sum."""
    median = {k: int(statistics.median(r[k] for r in runs)) for k in COUNTED}
    spread = {}
    if len(runs) > 1:
        keys = [k for k in runs[0] if all(k in r for r in runs)]
        for k in keys:
            vals = [r[k] for r in runs]
            spread[k] = max(vals) / min(vals) - 1
        vals = [not_counted(r) for r in runs]
        spread["all not counted"] = max(vals) / min(vals) - 1
    return median, spread


def binary_flavor(path):
    # The env variable's name is only in the binary when the crash points are
    # compiled in (src/failpoint.rs).
    with open(path, "rb") as f:
        has = b"SHINGLED_FAILPOINT" in f.read()
    return "release, failpoints compiled in" if has else "release"


def stale_warning(path):
    built = Path(path).stat().st_mtime
    newer = [p for p in [*ROOT.glob("src/**/*.rs"), ROOT / "Cargo.toml", ROOT / "Cargo.lock"]
             if p.is_file() and p.stat().st_mtime > built]
    if newer:
        print(f"WARNING: {path} is older than {len(newer)} source file(s) "
              f"(e.g. {newer[0].relative_to(ROOT)}): rebuild it first", file=sys.stderr)


def tool_version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip() or None
    except OSError:
        return None


def table(base, now, tol):
    print(f"\n{'part':<8} {'baseline':>15} {'now':>15} {'ratio':>7}  limit {1 + tol:.3f}")
    failed, dropped = [], []
    for k in COUNTED:
        b, n = base.get(k), now[k]
        if not b:
            print(f"{k:<8} {'-':>15} {n:>15,} {'-':>7}  (no baseline)")
            continue
        r = n / b
        verdict = "ok"
        if r > 1 + tol:
            verdict = "REGRESSION"
            failed.append(k)
        elif r < 1 - tol:
            verdict = "dropped"
            dropped.append(k)
        print(f"{k:<8} {b:>15,} {n:>15,} {r:>7.3f}  {verdict}")
    bt, nt = sum(base.get(k, 0) for k in COUNTED), sum(now.values())
    if bt:
        print(f"{'counted':<8} {bt:>15,} {nt:>15,} {nt / bt:>7.3f}  (sum, for information)")
    return failed, dropped


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", help="the shingled binary (default target/release/shingled)")
    ap.add_argument("--workload", default=DEFAULT_WORKLOAD,
                    help="FOLDER:COUNT,... under the corpus: the first COUNT .txt files of "
                         f"each, sorted by path (default {DEFAULT_WORKLOAD})")
    ap.add_argument("--baseline", default=str(BASELINE))
    ap.add_argument("--update", action="store_true",
                    help="measure (3 runs unless --runs) and rewrite the baseline with the medians")
    ap.add_argument("--runs", type=int,
                    help="runs; medians are compared (default 1, 3 with --update)")
    ap.add_argument("--tolerance", type=float,
                    help=f"allowed growth (default: the baseline's, else {DEFAULT_TOLERANCE})")
    ap.add_argument("--keep", metavar="DIR",
                    help="keep the callgrind files here, named by part (writer.callgrind, "
                         "reader.callgrind, ...; the last run's), for callgrind_annotate")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per run")
    args = ap.parse_args()
    args.runs = args.runs or (3 if args.update else 1)
    args.bin = str(Path(args.bin).resolve() if args.bin else ROOT / "target/release/shingled")

    try:
        if shutil.which("valgrind") is None:
            raise Fatal("valgrind is not installed (apt-get install valgrind)")
        if not Path(args.bin).is_file():
            raise Fatal(f"no binary at {args.bin}: build it first (cargo build --release)")
        stale_warning(args.bin)
        files = workload_files(args.workload)
        size = sum(f.stat().st_size for f in files)
        base = json.loads(Path(args.baseline).read_text()) if Path(args.baseline).exists() else None
        if base is None and not args.update:
            raise Fatal(f"no baseline at {args.baseline}: create it with {UPDATE_HINT}")
        if base and not args.update and base["workload"]["spec"] != args.workload:
            raise Fatal(f"the baseline was measured on {base['workload']['spec']!r}, this run is "
                        f"{args.workload!r}: run {UPDATE_HINT} (with the same --workload)")
        tol = args.tolerance if args.tolerance is not None else (
            base["tolerance"] if base else DEFAULT_TOLERANCE)
        flavor = binary_flavor(args.bin)
        print(f"icount: {args.bin} ({flavor}); workload {args.workload}: {len(files)} files, "
              f"{size / 1e6:.2f} MB; {args.runs} run(s) under callgrind", file=sys.stderr)
        runs, outcomes = measure(args, files)
    except Fatal as e:
        print(f"icount: ERROR: {e}", file=sys.stderr)
        return 2

    now, spread = summarize(runs)
    if spread:
        print("\nspread over the runs (max/min - 1):")
        for k, v in spread.items():
            mark = "counted" if k in COUNTED else "not counted"
            print(f"  {k:<22} {v * 100:7.2f}%  {mark}")

    if base and base["workload"].get("outcomes") not in (None, outcomes):
        print(f"\nNOTE: ingest's decisions on the workload differ from the baseline's:\n"
              f"  baseline {base['workload']['outcomes']}\n  now      {outcomes}\n"
              "  the code changed behaviour; if that is intended, part of any change in the "
              f"counts comes from it. Refresh with {UPDATE_HINT}.")
    measured = (base or {}).get("measured", {})
    if measured.get("binary") not in (None, flavor):
        print(f"\nNOTE: the baseline was measured on a '{measured['binary']}' binary, "
              f"this one is '{flavor}' (measured: no difference beyond the noise).")
    for tool, cmd in (("valgrind", ["valgrind", "--version"]), ("rustc", ["rustc", "--version"])):
        now_v = tool_version(cmd)
        if measured.get(tool) and now_v and measured[tool] != now_v:
            print(f"\nNOTE: the baseline was measured with {measured[tool]}, this machine has "
                  f"{now_v}: another compiler or libc shifts the counts; if every part moved "
                  f"alike, refresh the baseline on this toolchain ({UPDATE_HINT}).")

    failed, dropped = table(base["parts"] if base else {}, now, tol)

    if args.update:
        record = {
            "about": "Instruction counts (callgrind Ir) of `shingled ingest` on a fresh store, "
                     "per counted thread; checked in CI by scripts/icount.py. Regenerate with "
                     f"`{UPDATE_HINT}` (docs/PERFORMANCE.md, 'Regression check in CI').",
            "workload": {
                "spec": args.workload,
                "description": "the first COUNT .txt files, sorted by path, of each FOLDER under "
                               "SHINGLED_CORPUS (default ../shared/corpus), in that order, "
                               "ingested by one `shingled ingest -c CFG FILES...` on a fresh "
                               "store with config/shingled.toml's settings",
                "files": len(files),
                "bytes": size,
                "outcomes": outcomes,
            },
            "tolerance": tol,
            "parts": now,
            "measured": {
                "runs": len(runs),
                "statistic": "median",
                "spread": {k: round(v, 5) for k, v in spread.items()},
                "not_counted_median": int(statistics.median(not_counted(r) for r in runs)),
                "binary": flavor,
                "valgrind": tool_version(["valgrind", "--version"]),
                "rustc": tool_version(["rustc", "--version"]),
                "date": datetime.date.today().isoformat(),
            },
        }
        Path(args.baseline).write_text(json.dumps(record, indent=2) + "\n")
        print(f"\nwrote {args.baseline} (tolerance {tol:.0%}): commit it with the change "
              "that moved the counts")
        return 0

    if dropped:
        print(f"\nNOTE: {', '.join(dropped)} dropped more than {tol:.0%} below the baseline. "
              f"If that is the expected effect of a change, tighten the baseline: {UPDATE_HINT} "
              "and commit .ci/icount-baseline.json.")
    if failed:
        print(f"\nFAIL: {', '.join(failed)} over the baseline by more than {tol:.0%}. If the "
              "extra work is intended, say why in the commit and refresh the baseline with "
              f"{UPDATE_HINT}; to see where it goes, rerun with --keep DIR (for this binary and "
              "the previous one) and compare `callgrind_annotate --inclusive=yes "
              "DIR/writer.callgrind` (or reader.callgrind).")
        return 1
    print(f"\nOK: every counted part within {tol:.0%} of the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
