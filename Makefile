# Tend's two commands. `make run` starts Tend with a demo workspace; `make test` runs
# every test. Both install what is missing first (see .ci/setup).

SHELL := /bin/bash
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

# cargo-leptos builds with these; giving `cargo test` the same lets it reuse artifacts.
export LEPTOS_OUTPUT_NAME := tend
export LEPTOS_SITE_ROOT := target/site
export LEPTOS_SITE_PKG_DIR := pkg

# PostgreSQL for the tests: TEND_TEST_POSTGRES_URL, else a local server if one answers.
export TEND_TEST_POSTGRES_URL := $(or $(TEND_TEST_POSTGRES_URL),$(shell command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432 && echo postgres://postgres@127.0.0.1:5432/postgres))

.PHONY: run test test-rust test-api test-browser build build-tv bench bench-what-if bench-capture

## Build and start Tend at http://127.0.0.1:3000 on ./data/tend.db with the demo workspace
## (the release build `make build` makes, which the tests and benchmarks measure too).
run:
	.ci/setup
	$(MAKE) build
	LEPTOS_ENV=PROD LEPTOS_HASH_FILES=true TEND_ADDR=$${TEND_ADDR:-127.0.0.1:3000} TEND_DEMO=true target/release/tend serve

# cargo-leptos ends a failed build with a long backtrace of its own, which pushes the
# compiler's message out of a log's tail: on failure the message is said again last,
# with the disk's free space.
build:
	mkdir -p target
	set -o pipefail; cargo leptos build --release --precompress --split 2>&1 | tee target/build.log || { \
	  echo "== make build failed; what the build said of it:"; \
	  grep -E -A6 "^error|panicked|No space|Killed|signal: 9|failed with" target/build.log | tail -60; \
	  df -h . | tail -1; exit 1; }
	node end2end/tools/trim-split-loader.mjs target/site/pkg
	$(MAKE) build-tv

# The meeting-room screen's own wasm (frontend/tv: the screen's code, none of the other
# pages'), built after cargo-leptos in a target dir of its own: it is not split, so it
# is linked without the relocations wasm-split needs, and wasm-opt can shrink it (with
# them it cannot). The flags are .cargo/config.toml's and the type-erased views
# cargo-leptos asks for. Then wasm-bindgen and wasm-opt as cargo-leptos runs them, and
# end2end/tools/tv-bundle.mjs names the files by their content, compresses them and
# writes target/site/tv-hash.txt, which the server reads.
TV_RUSTFLAGS := $(shell sed -n 's/^ *"\(--remap-path-prefix=[^"]*\)",*$$/\1/p' .cargo/config.toml) --cfg erase_components
TV_WASM := target/front-tv/wasm32-unknown-unknown/wasm-release/frontend_tv.wasm
build-tv:
	RUSTFLAGS="$(TV_RUSTFLAGS)" cargo build --package=frontend-tv --lib --target-dir=target/front-tv \
	  --target=wasm32-unknown-unknown --profile=wasm-release
	rm -rf target/tv && mkdir -p target/tv
	wasm-bindgen --target=web --out-name=tv --out-dir=target/tv $(TV_WASM)
	wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int target/tv/tv_bg.wasm -o target/tv/tv_bg.wasm
	node end2end/tools/tv-bundle.mjs target/tv target/site

## Run every test: unit, database (SQLite, and PostgreSQL when reachable), API, browser.
test:
	.ci/setup --browser
	$(MAKE) test-rust
	$(MAKE) build
	$(MAKE) test-api
	$(MAKE) test-browser

test-rust:
	@echo "PostgreSQL tests: $${TEND_TEST_POSTGRES_URL:-skipped (set TEND_TEST_POSTGRES_URL)}"
	cargo test -p app --features testing
	cargo test -p server

## Schemathesis against the live API, guided by its OpenAPI document (both engines).
test-api:
	.ci/api-fuzz

## The browser stories on SQLite, then again on a fresh PostgreSQL database.
test-browser:
	mkdir -p target/e2e
	cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx playwright test
	@if [ -n "$${TEND_TEST_POSTGRES_URL:-}" ] && command -v psql >/dev/null; then \
	  db=tend_e2e_$$(date +%s); \
	  psql "$$TEND_TEST_POSTGRES_URL" -qc "CREATE DATABASE $$db" || exit 1; \
	  echo "Browser stories on PostgreSQL ($$db)"; \
	  (cd end2end && TEND_E2E_DATABASE_URL="$${TEND_TEST_POSTGRES_URL%/*}/$$db" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx playwright test); \
	  rc=$$?; psql "$$TEND_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $$db WITH (FORCE)"; exit $$rc; \
	fi

## Print the figures kept in BENCHMARKS.md.
bench: build
	RUSTFLAGS="--cfg erase_components" cargo run --release -p server --example bench
	RUSTFLAGS="--cfg erase_components" cargo run --release -p server --example streams

## What-if in Chromium: the board's forecast figured again after each imagined move,
## over 10,000 open deals (TEND_BENCH_OPEN_DEALS to change).
bench-what-if: build
	mkdir -p target/e2e
	cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx playwright test --config bench.config.ts -g "what-if"

## The capture page opened cold on a throttled phone (Slow 4G, CPU ÷4) in Chromium:
## when the form shows, when it is usable, when a first lead is saved, bytes fetched.
bench-capture: build
	mkdir -p target/e2e
	cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx playwright test --config bench.config.ts -g "capture"
