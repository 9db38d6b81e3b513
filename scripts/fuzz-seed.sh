#!/usr/bin/env bash
# Builds the fuzz seed corpora in fuzz/corpus/<target>/ from ../shared/corpus
# (or $SHINGLED_CORPUS) at run time. The corpus text is third-party and
# research-only: it is never committed (fuzz/corpus is in .gitignore).
#
#   scripts/fuzz-seed.sh            # then: scripts/fuzz-run.sh TARGET SECONDS
set -euo pipefail
cd "$(dirname "$0")/.."
src=${SHINGLED_CORPUS:-../shared/corpus}
[[ -d $src ]] || { echo "no corpus at $src (set SHINGLED_CORPUS)" >&2; exit 1; }
out=fuzz/corpus
n=${SEEDS:-150}   # files per kind; libFuzzer keeps only those that add coverage

for t in decode normalize fingerprint payload config formats; do mkdir -p "$out/$t"; done

# Plain text articles (a sample across sources, sorted for repeatability).
mapfile -t txt < <(find "$src" -path '*/articles/*.txt' -size -64k | sort | awk "NR % 13 == 0" | head -n "$n")
# HTML pages (gzip-compressed in the corpus).
mapfile -t gz < <(find "$src" -name '*.html.gz' -size -200k | sort | head -n "$n")
# JSON indexes (small ones).
mapfile -t json < <(find "$src" -name '*.json' -size -200k | sort | head -n 20)

i=0
for f in "${txt[@]}"; do
  i=$((i + 1))
  cp "$f" "$out/decode/txt-$i"
  cp "$f" "$out/normalize/txt-$i"
  # fingerprint: 3 shape bytes (k=3, w=4, min words=10 after the modulo) then text
  { printf '\x02\x03\x07'; head -c 2000 "$f"; } > "$out/fingerprint/txt-$i"
  # formats: selector byte 0 = a.txt
  { printf '\x00'; cat "$f"; } > "$out/formats/txt-$i"
done
# A few legacy encodings for decode: the same text as Windows-1252, UTF-16LE/BE with BOM, CRLF.
for f in "${txt[@]:0:10}"; do
  i=$((i + 1))
  iconv -f UTF-8 -t WINDOWS-1252//TRANSLIT "$f" > "$out/decode/cp1252-$i" 2>/dev/null || true
  { printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE "$f"; } > "$out/decode/utf16le-$i" 2>/dev/null || true
  { printf '\xfe\xff'; iconv -f UTF-8 -t UTF-16BE "$f"; } > "$out/decode/utf16be-$i" 2>/dev/null || true
  sed 's/$/\r/' "$f" > "$out/decode/crlf-$i"
done
for f in "${gz[@]}"; do
  i=$((i + 1))
  { printf '\x01'; gzip -dc "$f"; } > "$out/formats/html-$i"     # 1 = a.html
  { printf '\x05'; cat "$f"; } > "$out/formats/htmlgz-$i"        # 5 = a.html.gz
  gzip -dc "$f" 2>/dev/null | head -c 20000 > "$out/normalize/html-$i" || true
done
for f in "${json[@]}"; do
  i=$((i + 1))
  { printf '\x02'; cat "$f"; } > "$out/formats/json-$i"          # 2 = a.json
done
# zstd seeds when the tool is there (selector 8 = a.zst).
if command -v zstd >/dev/null; then
  for f in "${txt[@]:0:10}"; do
    i=$((i + 1))
    { printf '\x08'; zstd -q -c "$f"; } > "$out/formats/zst-$i"
  done
fi
# Config: the shipped files and a few variants.
cp config/shingled.toml "$out/config/shipped"
[[ -f systemd/shingled.toml ]] && cp systemd/shingled.toml "$out/config/systemd"
printf '[paths]\ndrop="d"\narchive="a"\nquarantine="q"\nstore="s"\n[api]\ntcp="127.0.0.1:9187"\n[dedup]\nshingle_words=8\nwindow=64\n' > "$out/config/api"
# Payloads: what the fingerprint target makes is the valid shape; seed a
# header-only one (format 1, no shingles) and let the fuzzer grow it.
printf '\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00' > "$out/payload/bare"
printf '\x01\x00\x01\x00\x05\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03\x07\x00\x00\x00' > "$out/payload/two"
for t in decode normalize fingerprint payload config formats; do
  echo "$t: $(find "$out/$t" -type f | wc -l) seeds"
done
