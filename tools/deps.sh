#!/usr/bin/env bash
# Install the Debian packages libsbi needs, only those that are missing.
# Usage: tools/deps.sh [extra-package ...]
set -euo pipefail
pkgs=(build-essential cmake pkg-config libopenblas-dev liblapacke-dev libcmocka-dev
      python3 python3-numpy python3-pytest python3-cffi "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "libsbi: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
