#!/usr/bin/env bash
# Installs what quddpm needs from Debian's packages (skipped when already present) and
# builds it in build/ (Release, portable: SIMD kernels chosen at run time). Usage: scripts/setup/setup.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

packages=(g++ cmake make libeigen3-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libgtest-dev
  libbenchmark-dev libhwy-dev libspectra-dev liblemon-dev python3-numpy python3-scipy
  python3-matplotlib python3-pandas python3-pytest)
scripts/setup/install_packages.sh "${packages[@]}"

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
