#!/usr/bin/env bash
# Debian's Chromium for the web tests (tests/test_web.py drives it with Playwright through
# executable_path=/usr/bin/chromium). Idempotent and instant when it is there. Never runs
# `playwright install`: no browser download, only Debian's package.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
else
  echo "Chromium is missing: run  sudo apt-get install chromium  (Debian) and try again" >&2
  exit 1
fi
test -x /usr/bin/chromium
