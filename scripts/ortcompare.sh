#!/usr/bin/env bash
# Paired comparison of two ONNX Runtime releases with the same zsic and the
# same onnxruntime_go: one regress test binary, run against each library in
# alternating order, ROUNDS times, then benchstat. Used to decide the pin
# (`make ortcompare`; README's Platforms).
#   usage: scripts/ortcompare.sh [OLD [NEW]]   (default: the pin and 1.30.0)
#   ROUNDS (6), BENCH (a -test.bench pattern), BENCHTIME (1s), OUT (a folder
#   to keep the raw results in).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
old=${1:-}
[ -n "$old" ] || old=$($GO run ./cmd/zsic-setup -print-version)
new=${2:-1.30.0}
rounds=${ROUNDS:-6}
# One -test.bench pattern per word: the image path at batch 32 on the tiny
# fixtures (fp32, int8) and the ViT-B/32-shaped twin, and prompt encoding.
bench=${BENCH:-'ImageLatency/./(tiny|twin)/(fp32|int8|openai)/(batch=32|clip-vit-base-patch32) TextEncode/./tiny'}
benchtime=${BENCHTIME:-1s}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"

libold=$($GO run ./cmd/zsic-setup -ort "$old" -platform "$($GO env GOOS)/$($GO env GOARCH)")
libnew=$($GO run ./cmd/zsic-setup -ort "$new" -platform "$($GO env GOOS)/$($GO env GOARCH)")
$GO test -c -o "$out/regress.test" ./regress
: >"$out/$old.txt"
: >"$out/$new.txt"
run() { # VERSION LIB
	local b
	for b in $bench; do
		(cd regress && ONNXRUNTIME_LIB=$2 "$out/regress.test" -test.run '^$' -test.bench "$b" -test.benchtime "$benchtime" -test.cpu 1 >>"$out/$1.txt")
	done
}
for r in $(seq "$rounds"); do
	printf 'ortcompare: round %d of %d\n' "$r" "$rounds" >&2
	if [ $((r % 2)) -eq 1 ]; then run "$old" "$libold"; run "$new" "$libnew"; else run "$new" "$libnew"; run "$old" "$libold"; fi
done
$GO run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$out/$old.txt" "$out/$new.txt"
echo "ortcompare: raw results in $out" >&2
