# tests/host/lib.bash - sourced by every tests/host/*.sh: strict mode, and a failure always
# says which check failed (a FAIL: line the runner shows) instead of leaving a log tail.
set -Eeuo pipefail
HOST_TEST=$(basename "$0" .sh)
trap 'rc=$?; echo "FAIL: $HOST_TEST: line $LINENO: $BASH_COMMAND (status $rc)"' ERR
fail() { echo "FAIL: $HOST_TEST: $*"; exit 1; }
# The in-kernel results of a boot log that failed: failing tests, assertions, stops, refusals.
kernel_failures() {
    echo "$1" | tr -d '\r' | grep -E '^(not ok|# ASSERTION|# test returned|BUGCHECK|bad boot option|\[runner\])' \
        || echo "$1" | tr -d '\r' | tail -5
}
