#!/usr/bin/env python3
"""End-to-end benchmark of shingled, side by side with the peers.

Runs on one folder of article files (by default the peers' 200k-paragraph
stream, generated with ../shared/peers/make_variants.py when missing):

1. `shingled ingest` over every file, on a fresh store, `--runs` times:
   files/s, MB/s, paragraphs/s, peak RSS, RSS per indexed block, store
   bytes per article (durable sled writes, group flush as configured).
2. A restart: `shingled ingest` of one file already stored, on the full
   store: open + index rebuild + one unchanged file, so the index rebuild's
   records/s (blocks in the store / wall).
3. With --daemon: the daemon under a steady arrival rate (200 files/s) and
   as fast as files come (examples/bench_daemon.rs), on generated typical
   articles and on the workload's own files: rename-in-to-committed latency
   p50/p99 and files/s, every file acknowledged only after its flush.
4. With --peers-python: the peers' harness (dedup_peers.py) on the same
   files in the same run, and the ratios (shingled para/s over the peer's,
   the peer's peak RSS over shingled's).

Medians over the runs; the machine's load average is printed with them.

    python3 scripts/bench.py [--stream DIR] [--runs 3] [--daemon]
        [--peers-python VENV/bin/python] [--peers rensa,exact] [--json OUT]

Paragraphs are counted as the peers count them: text between blank lines,
stripped, non-empty.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SHINGLED_SHARED", ROOT.parent / "shared"))
PARA = re.compile(r"\n\s*\n")


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def workload(args):
    if args.stream:
        return Path(args.stream)
    out = Path(args.work) / f"s{args.target}"
    if not (out / "stream").is_dir():
        corpus = Path(os.environ.get("SHINGLED_CORPUS", SHARED / "corpus"))
        if not corpus.is_dir():
            sys.exit(f"THE CORPUS IS MISSING at {corpus}: set SHINGLED_CORPUS or pass --stream")
        inputs = sorted(str(p) for p in corpus.glob("*/articles"))
        inputs += sorted(str(p) for p in (SHARED / "seed").glob("*.txt"))
        sh([sys.executable, str(SHARED / "peers/make_variants.py"), *inputs,
            "--shuffle-files", "--target", str(args.target), "--seed", "1",
            "--out", str(out)], stdout=subprocess.DEVNULL)
    return out / "stream"


def files_of(stream):
    files = sorted(str(p) for p in Path(stream).rglob("*.txt"))
    if not files:
        sys.exit(f"no .txt files under {stream}")
    size = 0
    paras = 0
    for f in files:
        b = Path(f).read_bytes()
        size += len(b)
        paras += sum(1 for p in PARA.split(b.decode("utf-8", "replace")) if p.strip())
    return files, size, paras


def config(dirpath):
    cfg = Path(dirpath) / "shingled.toml"
    base = (ROOT / "config/shingled.toml").read_text()
    # the project's default config, with its folders moved into dirpath
    for key in ("drop", "archive", "quarantine", "store"):
        base = re.sub(rf'(?m)^{key} = ".*"$', f'{key} = "{dirpath}/{key}"', base)
    cfg.write_text(base)
    return cfg


def timed(cmd, stdout=subprocess.DEVNULL):
    """Wall seconds and peak RSS (MB) of one child process."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    err = p.stderr.read().decode(errors="replace")
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{cmd[:3]} failed ({p.returncode}): {err[-2000:]}")
    return wall, ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime


def ingest_runs(args, files, size, paras):
    runs = []
    for i in range(args.runs):
        d = tempfile.mkdtemp(prefix="shingled-bench-", dir=args.work)
        cfg = config(d)
        wall, rss, cpu = timed([args.bin, "ingest", "-c", str(cfg), *files])
        stats = json.loads(sh([args.bin, "stats", "-c", str(cfg)],
                              capture_output=True).stdout)
        run = {
            "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss,
            "files_per_s": len(files) / wall, "mb_per_s": size / 1e6 / wall,
            "paragraphs_per_s": paras / wall, "blocks": stats["blocks"],
            "articles": stats["articles"], "store_bytes": stats["store_bytes"],
            "store_bytes_per_article": stats["store_bytes"] / max(1, stats["articles"]),
            "rss_bytes_per_block": rss * 2**20 / max(1, stats["blocks"]),
            "loadavg_1m": os.getloadavg()[0],
        }
        if i == args.runs - 1:
            rwall, rrss, _ = timed([args.bin, "ingest", "-c", str(cfg), files[0]])
            run["restart_s"] = rwall
            run["restart_records_per_s"] = stats["blocks"] / rwall
            run["restart_peak_rss_mb"] = rrss
        shutil.rmtree(d, ignore_errors=True)
        runs.append(run)
        print(f"  ingest run {i + 1}: {wall:.2f} s, {paras / wall:,.0f} para/s, "
              f"peak RSS {rss:.0f} MB, load {run['loadavg_1m']:.1f}", file=sys.stderr)
    return runs


def daemon_runs(args, stream):
    """The daemon on generated typical articles and on the workload's own
    files (the first 2,000 / 5,000 of them)."""
    out = {}
    for name, files, rate, src in (("rate200", 2000, 200, None), ("max", 5000, 0, None),
                                   ("workload_rate200", 2000, 200, stream),
                                   ("workload_max", 5000, 0, stream)):
        extra = ["--from", str(src)] if src else []
        r = sh(["cargo", "run", "--release", "--quiet", "--example", "bench_daemon", "--",
                "--bin", args.bin, "--files", str(files), "--rate", str(rate), *extra],
               capture_output=True, cwd=ROOT, text=True)
        line = r.stdout.strip().splitlines()[-1]
        kv = dict(re.findall(r"(\w+)=([\d.]+)", line))
        out[name] = {
            "files": int(kv["files"]),
            "files_per_s": float(re.search(r"throughput=([\d.]+)", line).group(1)),
            "p50_ms": float(kv["p50"]), "p99_ms": float(kv["p99"]), "max_ms": float(kv["max"]),
        }
        print(f"  daemon {name}: {line}", file=sys.stderr)
    return out


def peer_runs(args, stream):
    out = Path(args.work) / "peers.jsonl"
    out.unlink(missing_ok=True)
    truth = Path(stream).parent / "truth.jsonl"
    extra = ["--truth", str(truth)] if truth.exists() else []
    sh([args.peers_python, str(SHARED / "peers/dedup_peers.py"), str(stream), *extra,
        "--peers", *args.peers.split(","), "--repeat", str(args.peer_runs or args.runs),
        "--out", str(out)], stdout=subprocess.DEVNULL)
    return [json.loads(line) for line in out.read_text().splitlines() if line.strip()]


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stream", help="folder of article files (default: the peers' stream)")
    ap.add_argument("--target", type=int, default=200000, help="paragraphs when generating")
    ap.add_argument("--work", default=tempfile.gettempdir(), help="where stores and streams go")
    ap.add_argument("--bin", default=str(ROOT / "target/release/shingled"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--daemon", action="store_true", help="also measure the daemon")
    ap.add_argument("--peers-python", help="python of a venv with ../shared/peers/requirements.txt")
    ap.add_argument("--peers", default="rensa,exact", help="comma-separated: rensa,datasketch,exact")
    ap.add_argument("--peer-runs", type=int, help="repeats of the peers (default: --runs)")
    ap.add_argument("--json", help="write every figure here")
    args = ap.parse_args()
    if not Path(args.bin).exists():
        sh(["cargo", "build", "--release", "--quiet"], cwd=ROOT)

    stream = workload(args)
    files, size, paras = files_of(stream)
    print(f"workload: {stream}: {len(files)} files, {size / 1e6:.1f} MB, {paras} paragraphs",
          file=sys.stderr)
    result = {"workload": {"stream": str(stream), "files": len(files), "bytes": size,
                           "paragraphs": paras},
              "machine": {"cpus": os.cpu_count(), "loadavg_start": os.getloadavg()[0]}}
    runs = ingest_runs(args, files, size, paras)
    result["ingest"] = {"runs": runs, "median": {k: med(runs, k) for k in (
        "wall_s", "cpu_s", "files_per_s", "mb_per_s", "paragraphs_per_s", "peak_rss_mb",
        "rss_bytes_per_block", "store_bytes_per_article")}}
    last = runs[-1]
    result["restart"] = {k: last[k] for k in ("restart_s", "restart_records_per_s", "blocks")}
    if args.daemon:
        result["daemon"] = daemon_runs(args, stream)
    if args.peers_python:
        result["peers"] = peer_runs(args, stream)

    m = result["ingest"]["median"]
    print(f"\nshingled ingest, median of {args.runs} (durable sled writes):")
    print(f"  {m['wall_s']:.2f} s wall, {m['cpu_s']:.2f} s CPU; {m['files_per_s']:,.0f} files/s, "
          f"{m['mb_per_s']:.2f} MB/s, {m['paragraphs_per_s']:,.0f} paragraphs/s")
    print(f"  peak RSS {m['peak_rss_mb']:.0f} MB ({m['rss_bytes_per_block']:.0f} B per stored "
          f"block); store {m['store_bytes_per_article'] / 1e3:.1f} kB per article")
    r = result["restart"]
    print(f"  restart on {r['blocks']:,} blocks: {r['restart_s']:.2f} s "
          f"({r['restart_records_per_s']:,.0f} records/s)")
    for name, d in result.get("daemon", {}).items():
        print(f"  daemon {name}: {d['files_per_s']:,.0f} files/s, p50 {d['p50_ms']:.1f} ms, "
              f"p99 {d['p99_ms']:.1f} ms")
    for p in result.get("peers", []):
        ratio = m["paragraphs_per_s"] / p["paragraphs_per_s"]
        rss = p["peak_rss_mb"] / m["peak_rss_mb"]
        print(f"  vs {p['peer']}: {p['paragraphs_per_s']:,.0f} para/s, peak RSS "
              f"{p['peak_rss_mb']:.0f} MB, planted recall {p.get('planted_recall', 'n/a')}: "
              f"shingled is {ratio:.2f}x its para/s, its RSS is {rss:.2f}x shingled's")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
