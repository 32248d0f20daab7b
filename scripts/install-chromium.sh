#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed at /usr/bin/chromium for the headless-browser e2e check
# (test/e2e/editor.test.ts, driven by playwright-core with executablePath /usr/bin/chromium). Idempotent: a no-op when
# the binary is already there. Installs the Debian package `chromium` with apt-get (as root; a lock-protected
# `apt-get update` first when the package lists are missing). Playwright's own browser download (npx playwright install)
# does not work on these machines and is never used.
#
#   CHROMIUM_PATH   binary to look for (default /usr/bin/chromium)
set -euo pipefail
CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
log() { echo "[install-chromium] $*" >&2; }

if [ -x "$CHROMIUM_PATH" ]; then
	log "$("$CHROMIUM_PATH" --version 2>/dev/null || echo chromium) at $CHROMIUM_PATH"
	exit 0
fi
if [ "$CHROMIUM_PATH" != /usr/bin/chromium ]; then
	log "$CHROMIUM_PATH does not exist (CHROMIUM_PATH only selects a binary; this script installs /usr/bin/chromium)"
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	log "no /usr/bin/chromium and no apt-get: install Chromium yourself (Debian/Ubuntu package 'chromium') and retry"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	log "no /usr/bin/chromium; installing it needs root. Run as root: apt-get install -y --no-install-recommends chromium"
	exit 1
fi

start=$SECONDS
export DEBIAN_FRONTEND=noninteractive
# One install at a time on this machine (parallel e2e runs, several checkouts).
exec 9>/tmp/.halo-datto-install-chromium.lock
flock 9
if [ -x "$CHROMIUM_PATH" ]; then
	log "installed meanwhile by another run: $("$CHROMIUM_PATH" --version 2>/dev/null)"
	exit 0
fi
install() { apt-get install -y --no-install-recommends chromium >&2; }
log "installing Debian's chromium (apt-get install -y --no-install-recommends chromium)"
if ! install; then
	log "apt-get install failed; running apt-get update and retrying"
	apt-get update >&2
	install || {
		log "apt-get install chromium failed"
		exit 1
	}
fi
[ -x "$CHROMIUM_PATH" ] || {
	log "the chromium package is installed but $CHROMIUM_PATH is missing"
	exit 1
}
log "$("$CHROMIUM_PATH" --version 2>/dev/null) installed in $((SECONDS - start)) s"
