#!/usr/bin/env bash
# The dependency rule is the architecture (ARCHITECTURE.md): this fails when a crate depends
# on what it must not.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
forbid() {
  local crate=$1 pattern=$2 target=${3:-}
  local found
  found=$(cargo tree -q -p "$crate" -e normal --prefix none ${target:+--target "$target"} | awk '{print $1}' | grep -E "^($pattern)$" | sort -u || true)
  if [ -n "$found" ]; then
    echo "dependency rule: $crate must not depend on: $(echo "$found" | tr '\n' ' ')"
    fail=1
  fi
}
forbid outreach-model 'sqlx|sqlx-core|tokio|tauri|egui|eframe|outreach-backend|outreach-etl'
forbid outreach-backend 'egui|eframe|tauri|outreach-etl|outreach-warehouse|outreach-ui|clap|indicatif'
forbid outreach-etl 'egui|eframe|tauri|outreach-ui'
forbid outreach-warehouse 'egui|eframe|tauri|outreach-ui|outreach-etl|outreach-cli|clap|indicatif'
forbid outreach-cli 'egui|eframe|tauri|outreach-ui|outreach-etl|indicatif'
# The desktop app builds the demo through outreach-warehouse: never the command line, the ETL,
# a command-line parser or a progress bar.
forbid outreach-desktop 'outreach-cli|outreach-etl|clap|indicatif'
forbid outreach-ui 'sqlx|sqlx-core|tokio|tauri|outreach-backend|outreach-etl'
forbid outreach-ui 'sqlx|sqlx-core|tokio|tauri|outreach-backend|outreach-etl' wasm32-unknown-unknown
# The view layer builds for the webview.
if ! cargo check -q -p outreach-ui --target wasm32-unknown-unknown; then
  echo "outreach-ui does not build for wasm32-unknown-unknown"
  fail=1
fi
# Colours come from the theme's tokens (ui/src/theme.rs), never a literal in a view, so the
# light and dark themes and the contrast checks cover every colour on screen.
if grep -rnE 'Color32::(from_rgb|from_gray|from_rgba|from_hex|[A-Z][A-Z_]+)' ui/src --include='*.rs' \
    | grep -v '^ui/src/theme.rs:'; then
  echo "colour literals outside ui/src/theme.rs: use a token of the theme"
  fail=1
fi
exit $fail
