#!/usr/bin/env bash
# The README's main command: set up, build, and train the quickstart config.
# Extra arguments go to `quddpm train` (e.g. --threads 2, --force).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup/setup.sh
./build/quddpm train configs/quickstart.json --force "$@"
