#!/usr/bin/env bash
# Prints the gzipped size of what a browser downloads from dist/: wasm, JS and CSS.
set -euo pipefail
dist=${1:-dist}
total=0
shopt -s nullglob
for f in "$dist"/*.wasm "$dist"/*.js "$dist"/*.css; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total=$((total + gz))
  printf 'size: %-40s %9d bytes, %8d gzipped\n' "$(basename "$f")" "$raw" "$gz"
done
printf 'size: total gzipped (wasm + JS + CSS): %d bytes (%.1f KiB; budget 200 KB)\n' \
  "$total" "$(awk -v b="$total" 'BEGIN { print b / 1024 }')"
