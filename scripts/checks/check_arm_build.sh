#!/usr/bin/env bash
# Checks that every source compiles for 64-bit ARM (aarch64), as the x86-64 build compiles it
# (the same Highway targets: NEON, no SVE; OpenMP; the CMake definitions), with Debian's cross
# compiler. Syntax and template instantiation only: nothing is linked or run, since the ARM
# versions of the libraries are not installed. Not part of the tests (it wants the cross
# compiler, about 100 MB); run it after changing the kernels.
#
# Usage: scripts/checks/check_arm_build.sh   (installs g++-aarch64-linux-gnu when it is missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
cxx=aarch64-linux-gnu-g++
if ! command -v "$cxx" >/dev/null; then
  apt-get update -q >/dev/null && apt-get install -y -q g++-aarch64-linux-gnu >/dev/null
fi
# The host's header-only libraries (Highway, Eigen, spdlog, fmt, CLI11, nlohmann/json, LEMON's
# network simplex) are the same text for every architecture; the cross compiler brings ARM's C
# and C++ headers. A directory of links keeps the host's own system headers out of the search
# path.
inc=$(mktemp -d)
trap 'rm -rf "$inc"' EXIT
for d in hwy eigen3 spdlog fmt CLI nlohmann lemon; do
  [ -e "/usr/include/$d" ] || { echo "check_arm_build.sh: /usr/include/$d missing (run scripts/setup/setup.sh)" >&2; exit 2; }
  ln -s "/usr/include/$d" "$inc/$d"
done
# The definitions CMakeLists.txt gives these sources (values do not matter for the check,
# except the Highway targets, read from CMakeLists.txt itself).
hwy_targets=$(grep -o 'HWY_DISABLED_TARGETS=[^"]*' CMakeLists.txt)
[ -n "$hwy_targets" ] || { echo "check_arm_build.sh: no HWY_DISABLED_TARGETS in CMakeLists.txt" >&2; exit 2; }
defs=(-DEIGEN_DONT_PARALLELIZE -DSPDLOG_FMT_EXTERNAL "-D$hwy_targets"
      '-DQUDDPM_VERSION="check"' '-DQUDDPM_GIT_COMMIT="check"' '-DQUDDPM_COMPILER="check"'
      '-DQUDDPM_BUILD_TYPE="check"' '-DQUDDPM_BUILD_FLAGS="check"')
failed=0 n=0
for f in src/core/*.cpp src/core/kernels/*.cpp src/model/*.cpp src/app/{formats,config,run,cli}/*.cpp; do
  n=$((n + 1))
  if ! "$cxx" -std=c++17 -fopenmp -fsyntax-only -Isrc -I"$inc" -I"$inc/eigen3" "${defs[@]}" "$f" \
    2>"$inc/err"; then
    echo "FAILED $f:" >&2
    grep -m 5 error "$inc/err" >&2 || true
    failed=$((failed + 1))
  fi
done
echo "aarch64: $((n - failed)) of $n sources compile ($($cxx --version | head -1))"
[ "$failed" = 0 ]
