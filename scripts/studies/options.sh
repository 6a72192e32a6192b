# Sourced by the study scripts (regime_map.sh, variants.sh): the options they share, so that
# each parses them the same way. study_option "$@" sets the variable of a shared option from
# its value and returns 0 (the caller shifts 2), or returns 1 for any other argument.
study_option() {
  case "$1" in
    --qubits) qubits="${2:?}" ;;
    --seeds) seeds="${2:?}" ;;
    --steps) steps="${2:?}" ;;
    --jobs) jobs="${2:?}" ;;
    --threads) threads="${2:?}" ;;
    --out) out="${2:?}" ;;
    --bin) bin="${2:?}" ;;
    *) return 1 ;;
  esac
}
