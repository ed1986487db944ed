#!/usr/bin/env bash
# The app at a large plan's size (issue 13): the release build in its real webview, on the
# scale dataset of bench/read.sh (loaded first when missing, about twenty minutes), timed in
# the page by bench/app-scale.py. The same questions natively, with the database's own
# time: `bash bench/read.sh` (make bench runs both).
#   bash bench/app-scale.sh [changes]      (default 20; BENCH_PG=postgres://user@host:port)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/outreach-target}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-outreach_scale}
held=$(psql "$PG/$DB" -Atc "SELECT count(*) FROM campaigns" 2>/dev/null || echo 0)
if [ "$held" = 0 ]; then
  cargo build --release -q -p outreach-etl
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  "$CARGO_TARGET_DIR/release/outreach-etl" scale --dashboard "$PG/$DB" \
    --campaigns 10000 --days 730 --seed 2026 --end-date 2026-11-27
fi
bash scripts/build-ui.sh >/dev/null
cargo build -q --release -p outreach-desktop
python3 bench/app-scale.py "$CARGO_TARGET_DIR/release/outreach-dashboard" "$PG/$DB" "${1:-20}"
