# The two commands of README.md. Both install what they need first (scripts/setup.sh).
export CARGO_TARGET_DIR ?= $(HOME)/.cache/outreach-target
DEMO_DB ?= $(HOME)/.local/share/outreach-dashboard/demo.sqlite

.PHONY: run test setup lint demo bench

## Build the embedded demo database, show what it holds and ask it the dashboard's questions
## (the app arrives with issue 4).
run: setup
	cargo run -q -p outreach-etl -- demo --out "$(DEMO_DB)"
	cargo run -q -p outreach-cli -- --database "$(DEMO_DB)" summary
	cargo run -q -p outreach-cli -- --database "$(DEMO_DB)" campaigns --sort opt_out_rate --page-size 10

## Lint, check the dependency rule, and run every test suite against a real PostgreSQL.
test: setup lint
	cargo test --workspace

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	bash scripts/check-dependencies.sh

setup:
	@bash scripts/setup.sh

## The benchmarks of BENCHMARKS.md (needs a PostgreSQL server; the read benchmark's first run
## loads its scale dataset, about half an hour and 25 GB).
bench: setup
	bash bench/etl.sh
	bash bench/read.sh
