# Sourced by bench/app-launch.sh and bench/app-idle.sh: builds the release app, starts Xvfb,
# and starts the app on the demo database with a home of its own ($work/home).
#   start_app: starts it in the background (its pid in $app_pid) and returns once the overview's
#   summary is answered over the IPC (the shell's log), at most 60 s.
#   stop_app: stops it.
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/outreach-target}
bash scripts/build-ui.sh >/dev/null
cargo build -q --release -p outreach-desktop
app="$CARGO_TARGET_DIR/release/outreach-dashboard"
work=$(mktemp -d)
cleanup() {
  [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "${x_pid:-}" ] && kill "$x_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
display=120
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
x_pid=$!
sleep 1
log="$work/home/.local/share/outreach-dashboard/logs/outreach-dashboard.log"
answers() { if [ -f "$log" ]; then grep -c 'summary.*return' "$log" || true; else echo 0; fi; }
start_app() {
  local before
  before=$(answers)
  HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" \
    XDG_RUNTIME_DIR="$work" DISPLAY=":$display" RUST_LOG="info,outreach_dashboard=debug" \
    OUTREACH_DATABASE_URL="" "$app" >/dev/null 2>&1 &
  app_pid=$!
  for _ in $(seq 6000); do
    [ "$(answers)" -gt "$before" ] && return 0
    sleep 0.01
  done
  echo "the app did not answer the overview's summary in 60 s" >&2
  return 1
}
stop_app() {
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
}
