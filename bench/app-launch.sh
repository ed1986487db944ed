#!/usr/bin/env bash
# Launch time of the desktop app on the demo database (issue 4): from starting the release
# binary under Xvfb to the overview's summary answered over the IPC (the app's log, with
# RUST_LOG at debug for the shell). The demo database is built by a first, unmeasured launch.
#   bash bench/app-launch.sh [runs]      (default 10; prints median and worst)
set -euo pipefail
runs=${1:-10}
source "$(dirname "$0")/app-common.sh"
launch() { # milliseconds from starting the binary to the summary answered
  local start end
  start=$(date +%s%N)
  start_app
  end=$(date +%s%N)
  stop_app
  echo $(((end - start) / 1000000))
}
launch >/dev/null # builds the demo database
times=()
for _ in $(seq "$runs"); do times+=("$(launch)"); done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "launch to the summary answered: median %d ms, worst %d ms over %d runs\n", a[int((NR+1)/2)], a[NR], NR}'
