#!/usr/bin/env bash
# The desktop app at idle (issue 4): the release build on the demo database (built by a first,
# unmeasured launch) under Xvfb, the overview open with every answer, nothing happening.
# Reports the CPU time of all the app's processes together (the shell and WebKit's web and
# network processes) over 60 s, as a share of one core, and their memory as PSS (proportional
# set size, /proc/<pid>/smaps_rollup).
#   bash bench/app-idle.sh [seconds]      (default 60)
set -euo pipefail
seconds=${1:-60}
source "$(dirname "$0")/app-common.sh"
# A first launch builds the demo database (once per machine), then the app as people start it.
start_app
stop_app
start_app
sleep 10 # every answer on screen, and the first frames' work done

# The app and every process below it (WebKit's processes are its children).
tree() {
  local pids=("$app_pid") i=0
  while [ "$i" -lt "${#pids[@]}" ]; do
    for child in $(cat /proc/"${pids[$i]}"/task/*/children 2>/dev/null); do pids+=("$child"); done
    i=$((i + 1))
  done
  echo "${pids[@]}"
}
ticks() { # utime + stime of one process, in clock ticks (the comm field has no spaces here)
  local stat
  read -r -a stat <"/proc/$1/stat" || { echo 0; return; }
  echo $((stat[13] + stat[14]))
}
pids=$(tree)
declare -A before
for pid in $pids; do before[$pid]=$(ticks "$pid"); done
sleep "$seconds"
hz=$(getconf CLK_TCK)
pss=0
used=0
names=()
for pid in $pids; do
  t=$(($(ticks "$pid") - before[$pid]))
  used=$((used + t))
  kb=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
  pss=$((pss + kb))
  names+=("$(cat "/proc/$pid/comm"): PSS $((kb / 1024)) MB, CPU $(awk -v t="$t" -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.2f%%", 100 * t / hz / s }')")
done
before=0
after=$used
awk -v t=$((after - before)) -v hz="$hz" -v s="$seconds" -v pss="$pss" -v n="$(echo "$pids" | wc -w)" \
  'BEGIN { printf "idle over %d s: CPU %.2f%% of one core (%d processes); PSS %.0f MB\n", s, 100 * t / hz / s, n, pss / 1024 }'
printf '  %s\n' "${names[@]}"
