#!/usr/bin/env bash
# Installs what the end-to-end test needs, once, under .cache/e2e/ (gitignored):
#   - Debian packages: libkrb5-dev (kerberos headers), ripgrep (VS Code's search), chromium (the browser)
#   - code-server 4.100.3 (a real VS Code server build published on npm; 4.100.x is the last line that
#     runs on Node 20) in its own npm prefix, with its postinstall done by hand, because the real one
#     downloads ripgrep and prebuilt binaries from outside the npm registry.
# The recipe is the one verified in docs (environment: "Running the extension in a real VS Code, headless").
# Each step leaves a stamp, so a rerun after success (or after a failure half-way) skips what is done.
# Usage: bash scripts/e2e/setup.sh [--force]   (--force forgets the stamps and redoes every step)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CODE_SERVER_VERSION="4.100.3"
CACHE="$ROOT/.cache/e2e"
PREFIX="$CACHE/code-server"
STAMPS="$CACHE/stamps"
CS="$PREFIX/node_modules/code-server"
VSCODE="$CS/lib/vscode"

# Stamps are keyed by the code-server version and the Node ABI: native modules built for another Node
# would fail to load, so a Node upgrade redoes the builds.
NODE_ABI="$(node -p 'process.versions.modules')"
KEY="cs${CODE_SERVER_VERSION}-abi${NODE_ABI}-$(uname -m)"

if [[ "${1:-}" == "--force" ]]; then rm -rf "$STAMPS"; fi
mkdir -p "$STAMPS"

T0=$SECONDS
log() { printf '[e2e setup %4ss] %s\n' "$((SECONDS - T0))" "$*"; }
done_step() { [[ -f "$STAMPS/$1.$KEY" ]]; }
mark() { touch "$STAMPS/$1.$KEY"; }

# Bump RECIPE when a step is added: the steps already done keep their stamps and only the new one runs.
RECIPE=2
if done_step "all-r$RECIPE" && [[ -f "$CS/out/node/entry.js" ]] && [[ -x /usr/bin/chromium ]]; then
  log "already set up ($KEY); nothing to do (use --force to redo)"
  exit 0
fi

# npm's own node-gyp and the system's Node headers: node-gyp then downloads nothing.
NPM_ROOT="$(npm root -g)"
NODE_GYP="$NPM_ROOT/npm/node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$NODE_GYP" ]] || { echo "npm's node-gyp is not at $NODE_GYP" >&2; exit 1; }
NODEDIR="$(cd "$PREFIX" 2>/dev/null && npm config get nodedir 2>/dev/null || npm config get nodedir 2>/dev/null)"
if [[ -z "$NODEDIR" || "$NODEDIR" == "undefined" || "$NODEDIR" == "null" ]]; then NODEDIR=/usr; fi
[[ -f "$NODEDIR/include/node/node.h" ]] || { echo "no Node headers under $NODEDIR/include/node (npm config get nodedir)" >&2; exit 1; }
JOBS="$(nproc 2>/dev/null || echo 2)"

# 1. Debian packages ------------------------------------------------------------------------------
APT_PKGS=(libkrb5-dev ripgrep chromium)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=()
  if [[ "$(id -u)" != 0 ]]; then SUDO=(sudo -n); fi
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get install ${missing[*]}"
  # Update the package lists only when the install cannot find a candidate without it.
  if ! "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
    log "install failed; apt-get update, then retry"
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi
command -v rg >/dev/null || { echo "ripgrep (rg) is missing after apt-get" >&2; exit 1; }
[[ -x /usr/bin/chromium ]] || { echo "/usr/bin/chromium is missing after apt-get" >&2; exit 1; }
log "debian packages ok"

# 2. code-server from npm, scripts off, in its own prefix ----------------------------------------
if ! done_step npm-install || [[ ! -f "$CS/out/node/entry.js" ]]; then
  mkdir -p "$PREFIX"
  # Its own package.json: npm must not walk up to the project's package.json (or its .npmrc).
  cat >"$PREFIX/package.json" <<EOF
{ "name": "aura-lens-e2e-code-server", "private": true, "description": "cache for the e2e test, made by scripts/e2e/setup.sh" }
EOF
  log "npm install --ignore-scripts code-server@$CODE_SERVER_VERSION"
  (cd "$PREFIX" && npm install --ignore-scripts --no-audit --no-fund --save=false "code-server@$CODE_SERVER_VERSION")
  mark npm-install
fi

# 3. code-server's postinstall, by hand ----------------------------------------------------------
if ! done_step vscode-deps; then
  log "lib/vscode: npm install --omit=dev --ignore-scripts"
  (cd "$VSCODE" && npm install --omit=dev --ignore-scripts --no-audit --no-fund)
  mark vscode-deps
fi

# The four of the recipe, and native-watchdog (the extension host's watchdog: without it the host logs
# "Cannot find module './build/Release/watchdog'" at start and cannot notice its parent dying).
for mod in kerberos node-pty @vscode/spdlog @vscode/deviceid native-watchdog; do
  step="gyp-${mod//\//-}"
  if ! done_step "$step"; then
    log "node-gyp rebuild $mod"
    (cd "$VSCODE/node_modules/$mod" && node "$NODE_GYP" rebuild --nodedir="$NODEDIR" --jobs="$JOBS")
    mark "$step"
  fi
done

if ! done_step parcel-watcher; then
  log "@parcel/watcher: build from source"
  (cd "$VSCODE/node_modules/@parcel/watcher" && node scripts/build-from-source.js)
  mark parcel-watcher
fi

if ! done_step argon2; then
  # argon2 belongs to code-server itself (hoisted to the prefix's node_modules); its prebuilt download
  # fails here, and it then builds from source.
  log "npm rebuild argon2"
  (cd "$PREFIX" && npm rebuild argon2 --nodedir="$NODEDIR")
  mark argon2
fi

if ! done_step ripgrep; then
  log "ripgrep: Debian's rg into @vscode/ripgrep"
  mkdir -p "$VSCODE/node_modules/@vscode/ripgrep/bin"
  cp -f "$(command -v rg)" "$VSCODE/node_modules/@vscode/ripgrep/bin/rg"
  chmod +x "$VSCODE/node_modules/@vscode/ripgrep/bin/rg"
  mark ripgrep
fi

# The links code-server's postinstall.sh makes: node_modules.asar (VS Code and extensions look there for
# bundled files), and the `code` CLI and browser helper scripts for this platform.
ln -sfn node_modules "$VSCODE/node_modules.asar"
ln -sfn code-linux.sh "$VSCODE/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$VSCODE/bin/helpers/browser.sh"

if ! done_step extensions-deps; then
  log "lib/vscode/extensions: npm install --omit=dev --ignore-scripts"
  (cd "$VSCODE/extensions" && npm install --omit=dev --ignore-scripts --no-audit --no-fund)
  mark extensions-deps
fi

# 4. Smoke check: every native module loads in this Node.
(cd "$VSCODE" && node -e '
  for (const m of ["kerberos", "node-pty", "@vscode/spdlog", "@vscode/deviceid", "@parcel/watcher", "native-watchdog"]) require(m);')
(cd "$CS" && node -e 'require("argon2")')
[[ -x "$VSCODE/node_modules/@vscode/ripgrep/bin/rg" ]]
log "check: native modules load; code-server $(node -p "require('$CS/package.json').version")"
mark "all-r$RECIPE"
log "done in $((SECONDS - T0))s"
