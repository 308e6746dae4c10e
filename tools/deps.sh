#!/usr/bin/env bash
# Install the Debian packages libsbi needs, only those that are missing
# (apt-get update once, then one install). Needs root or sudo when something
# is missing; does nothing otherwise.
# Usage: tools/deps.sh [extra-package ...]
set -euo pipefail
pkgs=(build-essential cmake pkg-config binutils libopenblas-dev liblapacke-dev libcmocka-dev
      python3 python3-numpy python3-pytest python3-cffi "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "libsbi: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo > /dev/null || { echo "libsbi: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
