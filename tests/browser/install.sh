#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the browser tests when they are missing.
# Called by .ci/run, and by tests/browser.rs itself on a machine that lacks them: the browser
# tests run in parallel, so each call takes a lock first; the first one installs, the others
# wait for it and find the browser there. apt itself waits for its own locks (another apt or
# dpkg on the machine) instead of failing at once.
set -euo pipefail

installed() { command -v chromium >/dev/null && command -v chromedriver >/dev/null; }
installed && exit 0

lock="${TMPDIR:-/tmp}/koppel-browser-install.lock"
exec 9>"$lock"
if ! flock --wait 900 9; then
  echo "install.sh: waited 15 minutes for another installation to finish" >&2
  exit 1
fi
# Another test may have installed it while this one waited.
installed && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -o DPkg::Lock::Timeout=600)
echo "install.sh: installing Debian's chromium and chromium-driver" >&2
$SUDO apt-get "${apt_opts[@]}" update >/dev/null || echo "install.sh: apt-get update failed; trying the install with the lists there are" >&2
$SUDO apt-get "${apt_opts[@]}" install -y chromium chromium-driver >/dev/null
installed
