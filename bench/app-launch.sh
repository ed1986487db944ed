#!/usr/bin/env bash
# Launch time of the desktop app on the demo database (issue 4): from starting the release
# binary under Xvfb to the overview's summary answered over the IPC (the app's log, with
# RUST_LOG at debug for the shell). The demo database is built by a first, unmeasured launch.
#   bash bench/app-launch.sh [runs]      (default 10; prints median and worst)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/outreach-target}
runs=${1:-10}
bash scripts/build-ui.sh >/dev/null
cargo build -q --release -p outreach-desktop
app="$CARGO_TARGET_DIR/release/outreach-dashboard"
work=$(mktemp -d)
trap 'kill "${x_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
display=120
while [ -e "/tmp/.X11-unix/X$display" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
x_pid=$!
sleep 1
log="$work/home/.local/share/outreach-dashboard/logs/outreach-dashboard.log"
answers() { if [ -f "$log" ]; then grep -c 'summary.*return' "$log" || true; else echo 0; fi; }
launch() {
  local before
  before=$(answers)
  local start end
  start=$(date +%s%N)
  HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" \
    DISPLAY=":$display" RUST_LOG="info,outreach_dashboard=debug" OUTREACH_DATABASE_URL="" \
    "$app" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 600); do
    [ "$(answers)" -gt "$before" ] && break
    sleep 0.01
  done
  end=$(date +%s%N)
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  echo $(((end - start) / 1000000))
}
launch >/dev/null # builds the demo database
times=()
for _ in $(seq "$runs"); do times+=("$(launch)"); done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "launch to the summary answered: median %d ms, worst %d ms over %d runs\n", a[int((NR+1)/2)], a[NR], NR}'
