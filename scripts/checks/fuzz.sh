#!/usr/bin/env bash
# Fuzzes the config loader, the .npy reader and the checkpoint reader (state.json, its .npy files
# and the traces) with libFuzzer (ASan + UBSan), each for a bounded time.
# Usage: scripts/checks/fuzz.sh [seconds per target, default 60]
# Installs clang from Debian's packages if missing, builds in build-fuzz/, starts from the
# committed seed corpus in fuzz/corpus/ (new inputs go to build-fuzz/corpus/, not the repo), and
# exits non-zero if a target finds a crash (the input is saved in build-fuzz/artifacts/).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"

packages=(clang libclang-rt-14-dev libomp-14-dev cmake make libeigen3-dev nlohmann-json3-dev
  libcli11-dev libspdlog-dev libspectra-dev)
scripts/setup/install_packages.sh "${packages[@]}"

cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DQUDDPM_FUZZ=ON -DQUDDPM_NATIVE=OFF -DQUDDPM_BUILD_TESTS=OFF -DQUDDPM_BUILD_BENCHMARKS=OFF \
  >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_config fuzz_npy fuzz_checkpoint

status=0
for name in config npy checkpoint; do
  corpus="build-fuzz/corpus/$name"
  # A checkpoint input packs a whole staging folder (fuzz/fuzz_checkpoint.cpp): seeds of ~8 KB.
  max_len=4096
  if [[ $name == checkpoint ]]; then max_len=32768; fi
  mkdir -p "$corpus" build-fuzz/artifacts
  echo "== fuzz_$name for ${seconds}s" >&2
  # -rss_limit_mb: a reader must refuse a huge shape, not try to allocate it.
  if ! ./build-fuzz/fuzz_$name "$corpus" "fuzz/corpus/$name" -max_total_time="$seconds" \
    -dict="fuzz/$name.dict" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/"$name"- 2>build-fuzz/fuzz_$name.log; then
    status=1
    echo "fuzz_$name FOUND A PROBLEM (see build-fuzz/fuzz_$name.log and build-fuzz/artifacts/)" >&2
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" \
    build-fuzz/fuzz_$name.log >&2 || true
done
exit "$status"
