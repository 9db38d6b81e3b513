#!/usr/bin/env bash
# Installs what the test command needs beyond the Rust toolchain, on a fresh
# machine; does nothing when it is all there already (idempotent). The README
# test command starts with this script, and .ci/run runs that line as is.
#
# - promtool (the tests check the alert-rule example in docs/OPERATIONS.md
#   and the daemon's /metrics output with it). It comes from Debian's
#   `prometheus` package, downloaded and unpacked rather than installed:
#   installing the package would also set up and start a Prometheus server.
set -euo pipefail

# - readelf (binutils; the binary-size test reads the release binary's
#   sections). Debian's gcc brings it; a machine without it gets it here.
if ! command -v readelf >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils
fi

if ! command -v promtool >/dev/null; then
  if ! command -v apt-get >/dev/null; then
    echo "test-setup: promtool is missing and there is no apt-get to fetch it;" \
      "install promtool (Prometheus 2.x) on PATH" >&2
    exit 1
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # apt-get download needs package lists; a fresh machine may have none.
  if ! (cd "$tmp" && apt-get download -qq prometheus 2>/dev/null); then
    apt-get update -qq
    (cd "$tmp" && apt-get download -qq prometheus)
  fi
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/root"
  install -m 0755 "$tmp/root/usr/bin/promtool" /usr/local/bin/promtool
  echo "test-setup: installed $(promtool --version 2>&1 | head -1)" >&2
fi
