#!/usr/bin/env bash
# Installs the named Debian packages that are missing (neither a command of
# that name nor an installed package). Waits for another apt run to finish
# instead of failing on its lock.
set -euo pipefail
missing=()
for package in "$@"; do
  command -v "$package" >/dev/null 2>&1 || dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
for _ in 1 2 3 4 5 6 7 8 9 10; do
  if $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
    exit 0
  fi
  # A fresh machine may not have package lists yet, or apt may be locked.
  $sudo apt-get update -qq >/dev/null 2>&1 || sleep 5
done
echo "could not install ${missing[*]}; install them and retry" >&2
exit 1
