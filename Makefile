# ecsplay: the two commands a new user runs are `make serve` and `make test`.
# Each installs what is missing first (scripts/setup.sh), so a fresh machine with Rust (rustup)
# and Node.js needs nothing else.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TOOLS_DIR := $(CURDIR)/.tools
# Where `cargo install` puts binaries, following cargo's own precedence.
CARGO_BIN := $(if $(CARGO_INSTALL_ROOT),$(CARGO_INSTALL_ROOT)/bin,$(if $(CARGO_HOME),$(CARGO_HOME)/bin,$(HOME)/.cargo/bin))
export TOOLS_DIR
export PATH := $(TOOLS_DIR)/node_modules/.bin:$(CARGO_BIN):$(PATH)
export CHROMEDRIVER ?= $(shell command -v chromedriver 2>/dev/null || echo /usr/bin/chromedriver)

WASM := --target wasm32-unknown-unknown
ADDRESS ?= 127.0.0.1
PORT ?= 8080

.PHONY: help setup setup-test serve build test fmt-check clippy test-native test-browser e2e size screenshot bench bench-browser bench-first-paint

help:
	@echo "make serve   install what is missing, then serve the playground on http://$(ADDRESS):$(PORT)/"
	@echo "make test    install what is missing (with Chromium), then run every check and test"
	@echo "make build   release build into dist/"
	@echo "make size    gzipped size of the release bundle (wasm + JS + CSS)"

setup:
	@scripts/setup.sh web

setup-test:
	@scripts/setup.sh test

serve: setup
	trunk serve --address $(ADDRESS) --port $(PORT)

build: setup
	trunk build --release

test: setup-test fmt-check clippy test-native test-browser build e2e size

fmt-check:
	cargo fmt --all -- --check

clippy:
	cargo clippy --all-targets --locked -- -D warnings
	cargo clippy --all-targets --locked $(WASM) -- -D warnings

test-native:
	cargo test --locked

# wasm-bindgen-test in headless Chromium; the runner comes with wasm-bindgen-cli and reads
# webdriver.json for Chromium's flags.
test-browser:
	cargo test --locked $(WASM) --test browser

# The release build of dist/, served on 127.0.0.1 and driven through chromedriver.
e2e:
	ECSPLAY_DIST=$(CURDIR)/dist cargo test --locked --test e2e -- --ignored --test-threads=1

size:
	@scripts/size.sh dist

# Benchmarks that print their figures (design.md section 7): native, then wasm in Chromium.
bench:
	cargo bench --locked --bench placement
	cargo bench --locked --bench day
	cargo bench --locked --bench engine

bench-browser: setup-test
	cargo test --locked --release $(WASM) --test browser_bench -- --nocapture
	cargo test --locked --release $(WASM) --test browser_map_bench -- --nocapture

# The site's first contentful paint in headless Chromium, from the release build of dist/.
bench-first-paint: build
	ECSPLAY_DIST=$(CURDIR)/dist cargo test --locked --test e2e -- --ignored --nocapture --test-threads=1 first_paint embed_load

# PNGs of the playground's main states, as the README shows them.
screenshot: build
	ECSPLAY_DIST=$(CURDIR)/dist ECSPLAY_SCREENSHOTS=$(CURDIR)/docs \
	  cargo test --locked --test e2e -- --ignored --test-threads=1 screenshots
