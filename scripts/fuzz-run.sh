#!/usr/bin/env bash
# Runs one fuzz target for a while and prints libFuzzer's final stats.
#
#   scripts/fuzz-run.sh TARGET [SECONDS=300] [extra libFuzzer flags]
#
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable
# toolchain accept them. No sanitizer: the library forbids unsafe code, so
# the fuzzer looks for panics (including overflow: debug assertions are on),
# hangs (-timeout) and memory blow-ups (-rss_limit_mb, -malloc_limit_mb).
# Crashes land in fuzz/artifacts/TARGET/; make each a regression test.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
t=${1:?target: decode normalize fingerprint payload config formats}
secs=${2:-300}
shift $(($# >= 2 ? 2 : $#))
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p corpus/"$t" artifacts/"$t" logs
export RUSTC_BOOTSTRAP=1
case $t in
  normalize | formats) maxlen=262144 ;;
  *) maxlen=16384 ;;
esac
# NO_BUILD=1 reuses the last build (cargo fuzz run would rebuild first).
[[ ${NO_BUILD:-} == 1 ]] || cargo fuzz build --sanitizer none "$t"
bin=target/x86_64-unknown-linux-gnu/release/$t
"$bin" -artifact_prefix="$PWD/artifacts/$t/" corpus/"$t" \
  -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
  -max_len="$maxlen" -print_final_stats=1 "$@" > logs/"$t".log 2>&1 || true
grep -E '^(#[0-9]+\s+(INITED|DONE)|stat::|Done|==[0-9]+==|SUMMARY|thread .* panicked|Test unit|artifact)' logs/"$t".log | tail -n 25
ls artifacts/"$t"
