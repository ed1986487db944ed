#!/usr/bin/env bash
# The read benchmark of issue 3: loads the scale dataset (10,000 campaigns over two years,
# about 100 M member_interactions rows; `outreach-etl scale`) into a database of its own once,
# then times every dashboard question against it, bare in psql too, and checks the plans.
#   bash bench/read.sh                       (BENCH_PG=postgres://user@host:port for another server)
#   BENCH_CAMPAIGNS=2500 BENCH_DB=outreach_scale_quarter bash bench/read.sh   (a quarter of it)
#   BENCH_AS=admin bash bench/read.sh        (signed in through the views: admin, or
#   BENCH_AS=viewer:Wellness BENCH_RUNS=20 …  a viewer of one campaign type; BENCH_FILTER_TYPE=
#                                             Wellness: every filter names that type)
# A full load takes about half an hour and 40 GB of disk; later runs reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/outreach-target}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-outreach_scale}
CAMPAIGNS=${BENCH_CAMPAIGNS:-10000}

held=$(psql "$PG/$DB" -Atc "SELECT count(*) FROM campaigns" 2>/dev/null || echo 0)
if [ "$held" = 0 ]; then
  cargo build --release -q -p outreach-etl
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  time "$CARGO_TARGET_DIR/release/outreach-etl" scale --dashboard "$PG/$DB" \
    --campaigns "$CAMPAIGNS" --days 730 --seed 2026 --end-date 2026-11-27
fi
psql "$PG/$DB" -Atc "SELECT 'rows: ' || (SELECT count(*) FROM campaigns) || ' campaigns, '
  || (SELECT count(*) FROM campaign_metrics_daily) || ' campaign-days, '
  || (SELECT count(*) FROM member_interactions) || ' member_interactions; database '
  || pg_size_pretty(pg_database_size(current_database()))"
BENCH_DATABASE_URL="$PG/$DB" BENCH_PLANS="$PWD/bench/plans-$DB.txt" cargo bench -q -p outreach-cli --bench read
