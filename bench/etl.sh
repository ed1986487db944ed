#!/usr/bin/env bash
# Benchmarks of issue 2: generate about 10M events, a full ETL of them, the bare aggregation
# query alone in psql on the same data, and an incremental run that adds one more day.
#   bash bench/etl.sh            (BENCH_PG=postgres://user@host:port to use another server)
# Prints one line per figure; BENCHMARKS.md keeps the latest.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/outreach-target}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
WH="$PG/outreach_bench_warehouse"
DASH="$PG/outreach_bench_dashboard"
SIZE=(--members 500000 --campaigns 110 --days 365 --seed 2026 --end-date 2026-11-27)

cargo build --release -q -p outreach-etl
ETL="$CARGO_TARGET_DIR/release/outreach-etl"
for db in outreach_bench_warehouse outreach_bench_dashboard; do
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
done
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

t0=$(now)
"$ETL" generate --warehouse "$WH" "${SIZE[@]}" --as-of 2026-11-27T00:00:00Z
t1=$(now)
events=$(psql "$WH" -Atc "SELECT count(*) FROM warehouse.outreach_events")
echo "generate: $events events in $(secs "$t0" "$t1") s"

t0=$(now)
"$ETL" run --warehouse "$WH" --dashboard "$DASH" --full
t1=$(now)
full=$(secs "$t0" "$t1")
echo "full ETL: $full s"

"$ETL" aggregation-sql > /tmp/outreach-bare-aggregation.sql
t0=$(now)
psql "$WH" -q -o /dev/null -f /tmp/outreach-bare-aggregation.sql
t1=$(now)
bare=$(secs "$t0" "$t1")
echo "bare aggregation in psql: $bare s; full ETL / bare = $(awk -v a="$full" -v b="$bare" 'BEGIN { printf "%.2f", a / b }')"

t0=$(now)
"$ETL" generate --warehouse "$WH" "${SIZE[@]}" --as-of 2026-11-28T00:00:00Z --append
t1=$(now)
added=$(( $(psql "$WH" -Atc "SELECT count(*) FROM warehouse.outreach_events") - events ))
echo "append one day: $added events in $(secs "$t0" "$t1") s"
t0=$(now)
"$ETL" run --warehouse "$WH" --dashboard "$DASH"
t1=$(now)
echo "incremental ETL of one more day: $(secs "$t0" "$t1") s"
