#!/usr/bin/env bash
# apt-get update and install PACKAGES... (as root, or through sudo when run by another user),
# waiting for another apt or dpkg that holds the lock instead of failing at once: the install
# scripts (tools/install-*.sh) may run while another apt does, on a shared machine or at boot.
#   tools/apt-install.sh [--quiet] PACKAGE...
set -euo pipefail

WAIT=600  # seconds to wait for the lock, for each step
QUIET=""
if [ "${1:-}" = --quiet ]; then QUIET=1; shift; fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
# DPkg::Lock::Timeout makes apt-get poll the dpkg lock; apt-get update also takes the package
# lists' lock, which older apt does not wait for: so update is tried again while a lock is held.
APT=($SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$WAIT" -y -qq)

deadline=$((SECONDS + WAIT))
until out="$("${APT[@]}" update 2>&1)"; do
    if grep -q "Could not get lock\|Unable to lock" <<<"$out" && [ "$SECONDS" -lt "$deadline" ]; then
        echo "apt-install: another apt holds the lock; waiting" >&2
        sleep 10
    else
        printf '%s\n' "$out" >&2
        exit 1
    fi
done
if [ -n "$QUIET" ]; then
    "${APT[@]}" install --no-install-recommends "$@" >/dev/null
else
    "${APT[@]}" install "$@"
fi
