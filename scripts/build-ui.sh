#!/usr/bin/env bash
# Builds the view layer for the webview into ui/dist: the wasm module (release), its JavaScript
# glue from wasm-bindgen (the CLI's version must equal the crate's, pinned in ui/Cargo.toml),
# and the page that loads it. The shell embeds ui/dist when it is compiled.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/outreach-target}
want=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' ui/Cargo.toml)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
  echo "build-ui: installing wasm-bindgen-cli $want (once)"
  cargo install -q wasm-bindgen-cli --version "$want"
fi
cargo build -q -p outreach-ui --lib --target wasm32-unknown-unknown --profile wasm
rm -rf ui/dist.partial
mkdir -p ui/dist.partial
# The names and producers sections only help a debugger: 0.6 MB the webview need not load.
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir ui/dist.partial \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm/outreach_ui.wasm"
cp ui/web/index.html ui/web/style.css ui/web/boot.js ui/web/idle.js ui/dist.partial/
rm -rf ui/dist
mv ui/dist.partial ui/dist
echo "build-ui: ui/dist ($(du -sh ui/dist | cut -f1)): wasm $(stat -c %s ui/dist/outreach_ui_bg.wasm) bytes"
