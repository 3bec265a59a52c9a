#!/bin/sh
# Paired, interleaved timing of two zsic binaries on the same evaluation:
#   scripts/paired.sh OLD_BIN NEW_BIN ROUNDS -- EVAL_ARGS...
# Each round runs OLD then NEW (alternating which goes first), printing one
# line per run (wall seconds, CPU seconds, peak RSS KiB), then the median
# wall and CPU of each, peak RSS, and new's speed-up and CPU ratio to old
# (scripts/interleave.sh). Not part of CI.
set -eu
old=$1 new=$2 rounds=$3
shift 4
exec "$(dirname "$0")/interleave.sh" "$rounds" "old=$old" "new=$new" -- "$@"
