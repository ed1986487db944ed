#!/usr/bin/env bash
# Smoke test of the real desktop app: the shell binary ($1) in its real webview (WebKitGTK)
# under Xvfb, with a fresh home, so it builds and opens the demo database. Passes when the
# app's log shows the view layer's questions answered over the IPC, and a screenshot of the
# screen is a rendered page (many colours), not a blank one. The screenshot is kept at
# $SMOKE_SHOT (default target/smoke-app.png under CARGO_TARGET_DIR).
set -euo pipefail
app=${1:?usage: smoke-app.sh path/to/outreach-dashboard}
shot=${SMOKE_SHOT:-${CARGO_TARGET_DIR:-/tmp}/smoke-app.png}
work=$(mktemp -d)
cleanup() {
  [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "${x_pid:-}" ] && kill "$x_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
mkdir -p "$work/fb" "$work/home"
Xvfb ":$display" -screen 0 1280x800x24 -fbdir "$work/fb" >"$work/xvfb.log" 2>&1 &
x_pid=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done

HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" \
  DISPLAY=":$display" RUST_LOG="info,outreach_dashboard=debug" OUTREACH_DATABASE_URL="" \
  "$app" >"$work/app.out" 2>&1 &
app_pid=$!

log="$work/home/.local/share/outreach-dashboard/logs/outreach-dashboard.log"
answered() { [ -f "$log" ] && grep -q 'summary.*return' "$log" && grep -q 'health.*return' "$log"; }
for _ in $(seq 120); do
  answered && break
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "smoke: the app exited early:"; cat "$work/app.out"; exit 1
  fi
  sleep 0.5
done
if ! answered; then
  echo "smoke: in 60 s the app's log shows no answered summary and health over the IPC:"
  tail -20 "$log" 2>/dev/null || cat "$work/app.out"
  exit 1
fi
sleep 2 # the answers' frame
convert "xwd:$work/fb/Xvfb_screen0" "$shot"
colours=$(convert "$shot" -format %k info:)
if [ "$colours" -lt 50 ]; then
  echo "smoke: the screenshot $shot has $colours colours: a blank page, not the dashboard"
  exit 1
fi
echo "smoke: the app answered over the IPC and drew the dashboard ($colours colours in $shot)"
