# shellcheck shell=bash
# Sourced, not executed:  source scripts/n8n-env.sh [USER_FOLDER [PORT]]
#
# Puts the right Node.js and the cached n8n on PATH for one n8n version and, given a user folder, exports the base
# n8n environment of README.md#running-the-tests (SQLite, loopback only, fixed encryption key, no telemetry, community packages on).
#
#   N8N_VERSION        n8n version to use (default 2.41.1). 2.x runs on Node 24 (installed into the cache), 1.x on the
#                      system Node 20/22.
#   HALO_DATTO_CACHE   cache folder (default ~/.cache/n8n-nodes-halo-datto), shared by every checkout and CI run.
#
# Exports N8N_CACHE_VERSION, N8N_INSTALL_DIR, N8N_NODE_HOME, N8N_BIN and, with a user folder, N8N_USER_FOLDER, N8N_PORT
# (default 5678), N8N_RUNNERS_BROKER_PORT (PORT+1) and the rest. Does not change shell options; returns 1 (and prints why)
# when the install is missing: run scripts/n8n-install.sh first.

_hd_env_main() {
	local version=${N8N_VERSION:-2.41.1}
	local major=${version%%.*}
	export HALO_DATTO_CACHE=${HALO_DATTO_CACHE:-$HOME/.cache/n8n-nodes-halo-datto}
	export N8N_CACHE_VERSION=$version
	export N8N_INSTALL_DIR=$HALO_DATTO_CACHE/n8n-$version
	export N8N_BIN=$N8N_INSTALL_DIR/node_modules/.bin/n8n

	local need_node=20
	[ "$major" -ge 2 ] && need_node=24
	# PATH without the entries an earlier sourcing added, and the system node found on it.
	local cleaned= p
	while IFS= read -r p; do
		case "$p" in '' | "$HALO_DATTO_CACHE"/*) ;; *) cleaned=${cleaned:+$cleaned:}$p ;; esac
	done < <(printf '%s\n' "$PATH" | tr ':' '\n')
	local sys_node sys_major=0
	sys_node=$(PATH=$cleaned command -v node || true)
	if [ -n "$sys_node" ]; then
		sys_major=$("$sys_node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
	fi
	local os arch
	case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) os=$(uname -s | tr '[:upper:]' '[:lower:]') ;; esac
	case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
	export N8N_NODE_PACKAGE=node-$os-$arch

	if [ "$need_node" -eq 24 ] && [ "$sys_major" -lt 24 ]; then
		# n8n 2.x refuses Node < 24: use the Node 24 that n8n-install.sh put into the cache.
		export N8N_NODE_HOME=$HALO_DATTO_CACHE/node24/node_modules/$N8N_NODE_PACKAGE
		export npm_config_nodedir=$N8N_NODE_HOME # node-gyp builds (sqlite3) against Node 24's headers
	elif [ "$need_node" -eq 20 ] && { [ "$sys_major" -lt 20 ] || [ "$sys_major" -gt 22 ]; }; then
		echo "n8n-env: n8n $version needs Node 20 or 22 on PATH (found ${sys_major})" >&2
		return 1
	else
		N8N_NODE_HOME=$(dirname "$(dirname "$sys_node")")
		export N8N_NODE_HOME
		case "${npm_config_nodedir:-}" in "$HALO_DATTO_CACHE"/*) unset npm_config_nodedir ;; esac
		# node-gyp (sqlite3 for n8n 1.x) needs this Node's headers; without nodedir it downloads them from nodejs.org.
		if [ -z "${npm_config_nodedir:-}" ] && [ -f "$N8N_NODE_HOME/include/node/node_version.h" ]; then
			export npm_config_nodedir=$N8N_NODE_HOME
		fi
	fi

	case "$N8N_NODE_HOME" in
		"$HALO_DATTO_CACHE"/*) PATH=$N8N_NODE_HOME/bin:$N8N_INSTALL_DIR/node_modules/.bin:$cleaned ;;
		*) PATH=$N8N_INSTALL_DIR/node_modules/.bin:$cleaned ;;
	esac
	export PATH

	if [ ! -x "$N8N_NODE_HOME/bin/node" ] || [ ! -f "$N8N_INSTALL_DIR/.installed" ]; then
		echo "n8n-env: n8n $version is not installed in $HALO_DATTO_CACHE; run scripts/n8n-install.sh $version" >&2
		return 1
	fi

	# n8n 1.123.x defaults to the "vm" expression engine (isolated-vm 6, engines node >= 22, prebuilds for Node 22/24
	# only; it does not compile against Node 20's V8). On a Node without a working isolated-vm every n8n command exits
	# with "Could not initialize the vm expression engine", so 1.x there runs the "legacy" engine, the one n8n used
	# before. The check runs once per install and Node ABI (marker file). An explicit N8N_EXPRESSION_ENGINE wins.
	if [ "$major" -lt 2 ] && [ -z "${N8N_EXPRESSION_ENGINE:-}" ] && [ -d "$N8N_INSTALL_DIR/node_modules/isolated-vm" ]; then
		local abi marker
		abi=$("$N8N_NODE_HOME/bin/node" -p process.versions.modules 2>/dev/null || echo unknown)
		marker=$N8N_INSTALL_DIR/.isolated-vm-abi$abi
		if [ ! -f "$marker" ]; then
			if (cd "$N8N_INSTALL_DIR" && "$N8N_NODE_HOME/bin/node" -e 'require("isolated-vm")') >/dev/null 2>&1; then
				echo ok >"$marker.$$"
			else
				echo missing >"$marker.$$"
			fi
			mv -f "$marker.$$" "$marker"
		fi
		if [ "$(cat "$marker")" != ok ]; then
			export N8N_EXPRESSION_ENGINE=legacy
		fi
	fi

	if [ $# -ge 1 ] && [ -n "$1" ]; then
		local port=${2:-5678}
		export N8N_USER_FOLDER=$1
		export N8N_PORT=$port N8N_RUNNERS_BROKER_PORT=$((port + 1))
		export N8N_LISTEN_ADDRESS=127.0.0.1 N8N_HOST=127.0.0.1 N8N_PROTOCOL=http
		export WEBHOOK_URL=http://127.0.0.1:$port/
		export N8N_ENCRYPTION_KEY=${N8N_ENCRYPTION_KEY:-test-encryption-key-0123456789}
		export N8N_DIAGNOSTICS_ENABLED=false N8N_PERSONALIZATION_ENABLED=false N8N_TEMPLATES_ENABLED=false
		export N8N_AI_ENABLED=false N8N_SECURE_COOKIE=false
		export N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED=false
		export N8N_DYNAMIC_BANNERS_ENABLED=false N8N_HIRING_BANNER_ENABLED=false N8N_LICENSE_AUTO_RENEW_ENABLED=false
		export N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true
		export N8N_COMMUNITY_PACKAGES_ENABLED=true N8N_REINSTALL_MISSING_PACKAGES=false N8N_UNVERIFIED_PACKAGES_ENABLED=true
		export N8N_LOG_LEVEL=${N8N_LOG_LEVEL:-info} N8N_LOG_OUTPUT=console DB_TYPE=${DB_TYPE:-sqlite}
		export GENERIC_TIMEZONE=${GENERIC_TIMEZONE:-UTC}
		# mcp-registry (2.x) calls api.n8n.io at start; 1.x has no such module and refuses to start with an unknown
		# module name ("Unknown module", README.md#supported-n8n-versions).
		if [ "$major" -ge 2 ]; then
			export N8N_DISABLED_MODULES=${N8N_DISABLED_MODULES:-mcp-registry}
		fi
	fi
	return 0
}
_hd_env_main "$@"
