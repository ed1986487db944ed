# The two commands of README.md. Both install what they need first (scripts/setup.sh).
export CARGO_TARGET_DIR ?= $(HOME)/.cache/outreach-target
DEMO_DB ?= $(HOME)/.local/share/outreach-dashboard/demo.sqlite

.PHONY: run test setup ui lint demo bench

## The desktop app on the embedded demo database (built on first use), unless
## OUTREACH_DATABASE_URL or the config file names a dashboard database.
run: setup ui
	cargo run -q --release -p outreach-desktop

## Lint, check the dependency rule, run every test suite against a real PostgreSQL, then the
## app end to end in its real webview through WebDriver. The app is built with the tests'
## profile (its dependencies are the tests' own, already built): the same code as the release
## build without the release build's quarter of an hour; the benchmarks measure the release.
test: setup ui lint
	cargo test --workspace
	cargo build -q -p outreach-desktop -p outreach-cli -p outreach-etl
	python3 scripts/e2e-app.py "$(CARGO_TARGET_DIR)/debug/outreach-dashboard" "$(CARGO_TARGET_DIR)/debug/outreach" "$(CARGO_TARGET_DIR)/debug/outreach-etl"

## The view layer for the webview (ui/dist), which the shell embeds when it is compiled.
ui:
	bash scripts/build-ui.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p outreach-ui --target wasm32-unknown-unknown -- -D warnings
	bash scripts/check-dependencies.sh

setup:
	@bash scripts/setup.sh

## The benchmarks of BENCHMARKS.md (needs a PostgreSQL server; the read benchmark's first run
## loads its scale dataset, about half an hour and 25 GB; the app's run under Xvfb).
bench: setup ui
	bash bench/etl.sh
	bash bench/read.sh
	bash bench/app-scale.sh
	cargo bench -p outreach-testkit --bench views
	cargo bench -p outreach-backend --bench export
	bash bench/app-launch.sh 10
	python3 bench/app-filter.py "$(CARGO_TARGET_DIR)/release/outreach-dashboard" 40
	bash bench/app-idle.sh 60
