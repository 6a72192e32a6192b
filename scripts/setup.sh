#!/usr/bin/env bash
# Installs what quddpm needs from Debian's packages (skipped when already present) and
# builds it in build/ (Release, native instructions). Usage: scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make libeigen3-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libgtest-dev
  libbenchmark-dev python3-numpy python3-matplotlib)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
