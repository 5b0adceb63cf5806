#!/usr/bin/env bash
# Debian's Chromium for the web tests (tests/test_web.py drives it with Playwright through
# executable_path=/usr/bin/chromium). Idempotent and instant when it is there. Never runs
# `playwright install`: no browser download, only Debian's package.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
  "$(dirname "$0")/apt-install.sh" chromium  # waits while another apt holds the lock
else
  echo "Chromium is missing: run  sudo apt-get install chromium  (Debian) and try again" >&2
  exit 1
fi
test -x /usr/bin/chromium
