#!/usr/bin/env bash
# Installs what `make run` and `make test` need on a fresh Debian 12 with only the Rust
# toolchain: a C compiler (bundled SQLite), PostgreSQL's server binaries (the tests start a
# throwaway cluster when no server answers), psql, the Rust lint components, and the wasm32
# target the view layer is built for. Idempotent and quiet when everything is there.
set -euo pipefail

need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
command -v runuser >/dev/null 2>&1 || need+=(util-linux)

if ((${#need[@]})); then
  echo "setup: installing ${need[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

for component in clippy rustfmt; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    echo "setup: adding the Rust component $component"
    rustup component add "$component"
  fi
done

if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  echo "setup: adding the Rust target wasm32-unknown-unknown (the view layer runs in the webview)"
  rustup target add wasm32-unknown-unknown
fi
