#!/usr/bin/env bash
# Installs what `make serve` and `make test` need and is missing, from crates.io, npm and Debian
# only (nothing from GitHub: see design.md section 8). Each step first checks what is there, so a
# second run costs a few version checks.
#
#   scripts/setup.sh web    wasm target, trunk, wasm-bindgen-cli, wasm-opt, crates fetched
#   scripts/setup.sh test   the same, plus Chromium, chromedriver and axe-core (the audit)
#
# The Makefile puts TOOLS_DIR/node_modules/.bin and cargo's bin folder on PATH before calling this.
set -euo pipefail

mode=${1:-web}
here=$(cd "$(dirname "$0")/.." && pwd)
tools_dir=${TOOLS_DIR:-$here/.tools}

# Trunk 0.22 needs a newer rustc than this project's toolchain; 0.21.14 is the last that builds.
TRUNK_VERSION=0.21.14
# The npm package `binaryen` ships wasm-opt; Debian's is too old for the wasm that rustc emits.
BINARYEN_VERSION=132.0.0
# axe-core, the accessibility audit the end-to-end tests run in the page.
AXE_CORE_VERSION=4.14.1

say() { printf 'setup: %s\n' "$*"; }

timed() {
  local what=$1
  shift
  local start=$SECONDS
  say "installing $what ..."
  "$@"
  say "installed $what in $((SECONDS - start)) s"
}

# The wasm-bindgen CLI must be exactly the version of the `wasm-bindgen` crate in Cargo.lock,
# or the generated glue does not match the compiled module. Read it from the lock file, the one
# place it is pinned.
wasm_bindgen_version() {
  awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/"/, "", $3); print $3; exit }' \
    "$here/Cargo.lock"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    timed "the wasm32-unknown-unknown target" rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
    timed "trunk $TRUNK_VERSION" cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
}

ensure_wasm_bindgen() {
  local want
  want=$(wasm_bindgen_version)
  if [ -z "$want" ]; then
    say "Cargo.lock has no wasm-bindgen entry; run 'cargo generate-lockfile' first" >&2
    exit 1
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
    # Not --locked: one pinned dependency of wasm-bindgen-cli's own lock file is gone from
    # crates.io, so a locked install fails.
    timed "wasm-bindgen-cli $want" cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_wasm_opt() {
  if ! "$tools_dir/node_modules/.bin/wasm-opt" --version >/dev/null 2>&1; then
    if ! command -v npm >/dev/null 2>&1; then
      say "npm is missing: install Node.js (it provides npm), then run this again" >&2
      exit 1
    fi
    mkdir -p "$tools_dir"
    timed "wasm-opt (npm binaryen@$BINARYEN_VERSION)" \
      npm install --prefix "$tools_dir" --no-audit --no-fund --loglevel=error \
      "binaryen@$BINARYEN_VERSION"
  fi
}

ensure_axe_core() {
  local have
  have=$(node -p "require('$tools_dir/node_modules/axe-core/package.json').version" 2>/dev/null || true)
  if [ "$have" != "$AXE_CORE_VERSION" ]; then
    mkdir -p "$tools_dir"
    timed "axe-core $AXE_CORE_VERSION (npm)" \
      npm install --prefix "$tools_dir" --no-audit --no-fund --loglevel=error \
      "axe-core@$AXE_CORE_VERSION"
  fi
}

ensure_crates() {
  # Trunk runs cargo with --offline (Trunk.toml), so every crate must be in the local registry.
  (cd "$here" && cargo fetch --locked --quiet)
}

ensure_chromium() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    say "Chromium and chromedriver are needed for the browser tests and are missing." >&2
    say "Install them as root, e.g.: sudo apt-get install chromium chromium-driver" >&2
    exit 1
  fi
  timed "chromium and chromium-driver (apt-get)" bash -c \
    'apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null'
}

ensure_wasm_target
ensure_trunk
ensure_wasm_bindgen
ensure_wasm_opt
ensure_crates
if [ "$mode" = test ]; then
  ensure_chromium
  ensure_axe_core
fi
say "ready ($mode)"
