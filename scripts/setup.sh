#!/usr/bin/env bash
# Installs what `make run` and `make test` need on a fresh Debian 12 with only the Rust
# toolchain: a C compiler (bundled SQLite), PostgreSQL's server binaries (the tests start a
# throwaway cluster when no server answers), psql, the Rust lint components, the wasm32 target
# the view layer is built for, WebKitGTK for the desktop app, Xvfb, WebKitWebDriver and
# tauri-driver and xdotool for its end-to-end test, poppler for the export tests, and Mesa's
# lavapipe for the views suite's snapshots, and for the sign-in tests an OpenID provider (npm's
# oidc-provider, pinned by tests/oidc/package-lock.json, on Node.js) and GNOME Keyring.
# Idempotent and quiet when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
command -v runuser >/dev/null 2>&1 || need+=(util-linux)
# The end-to-end test and the export tests read with Python's standard library (csv, json).
command -v python3 >/dev/null 2>&1 || need+=(python3)
# The desktop app: WebKitGTK for Tauri's webview; Xvfb and WebKitWebDriver for its smoke test.
pkg-config --exists webkit2gtk-4.1 2>/dev/null || need+=(libwebkit2gtk-4.1-dev)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v WebKitWebDriver >/dev/null 2>&1 || need+=(webkit2gtk-driver)
# The end-to-end test answers the export's save dialog as a person would (xdotool); the export
# tests read PDFs with poppler's pdftotext, pdfinfo, pdffonts and pdftoppm.
command -v xdotool >/dev/null 2>&1 || need+=(xdotool)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# The sign-in tests keep the refresh token in a real Secret Service: GNOME Keyring on a session
# bus of the test's own, read back with secret-tool.
command -v dbus-daemon >/dev/null 2>&1 || need+=(dbus)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
command -v secret-tool >/dev/null 2>&1 || need+=(libsecret-tools)
# The pgaudit test loads the extension into a cluster of its own (the server's major version).
pg_major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
if [ -n "$pg_major" ] && [ ! -e "/usr/lib/postgresql/$pg_major/lib/pgaudit.so" ]; then
  need+=("postgresql-$pg_major-pgaudit")
fi
# The end-to-end sign-in makes its databases and the app's login with psql.
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
# The TLS test makes a CA and a server certificate of its own.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The sign-in tests run npm's oidc-provider on Node.js (20 or later).
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
convert -list format 2>/dev/null | grep -qi '^ *XWD' || need+=(imagemagick)
# The views suite's snapshots: rendered by wgpu on the CPU through Mesa's lavapipe (Vulkan).
ls /usr/share/vulkan/icd.d/lvp_icd.*.json >/dev/null 2>&1 || need+=(mesa-vulkan-drivers)
ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1' || need+=(libvulkan1)

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

# The end-to-end test's WebDriver server for Tauri apps (it drives Debian's WebKitWebDriver).
if ! cargo install --list 2>/dev/null | grep -q '^tauri-driver v2\.1\.0:'; then
  echo "setup: installing tauri-driver 2.1.0 (once, about two minutes)"
  cargo install -q tauri-driver --version 2.1.0 --locked
fi

if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  echo "setup: adding the Rust target wasm32-unknown-unknown (the view layer runs in the webview)"
  rustup target add wasm32-unknown-unknown
fi

# The sign-in tests' OpenID provider, exactly as the lockfile pins it. oidc-provider 9 needs
# Node.js 20 or later (Debian 12's own is 18: install a newer one, e.g. NodeSource's).
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js $(node --version 2>/dev/null || echo 'is missing') is too old for the sign-in tests' provider: install Node.js 20 or later" >&2
  exit 1
fi
pinned=$(node -p 'require("./tests/oidc/package.json").dependencies["oidc-provider"]')
held=$(node -p 'require("./tests/oidc/node_modules/oidc-provider/package.json").version' 2>/dev/null || true)
if [ "$held" != "$pinned" ]; then
  echo "setup: installing the tests' OpenID provider (oidc-provider $pinned, npm ci in tests/oidc)"
  npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error >/dev/null
fi
