#!/bin/sh
# The measurements behind README.md's "Speed" section, in one run (about
# 14 minutes on 2 cores; not part of CI):
#   scripts/speed.sh OLD_BIN [NEW_BIN]
# OLD_BIN is a previous release's zsic (the README's: 8b6d004, built from
# its own worktree); NEW_BIN defaults to bin/zsic (`make build`). Needs
# the CIFAR-100 test parquet ($ZSIC_DATA or ../shared/data) and, for the
# full-size ViT-B/32 parts, fixtures/scripts/make_bench_model.py's output
# in ${ZSIC_BENCH_MODELS:-$HOME/.cache/zsic/bench-models}. Run it on a
# quiet machine: every part interleaves what it compares, but other load
# still moves wall-clock ratios.
set -eu
old=$1 new=${2:-bin/zsic}
here=$(dirname "$0")
data=$(go run ./cmd/zsic-setup -find cifar100/test.parquet)
models=${ZSIC_BENCH_MODELS:-$HOME/.cache/zsic/bench-models}
vit=$models/openai/clip-vit-base-patch32
tiny=fixtures/models/tiny-clip
twin=fixtures/models/twin/openai/clip-vit-base-patch32
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load $(cut -d' ' -f1-3 /proc/loadavg)"

echo "## against the previous release"
"$here/paired.sh" "$old" "$new" 5 -- -m $tiny --dataset "$data"
"$here/paired.sh" "$old" "$new" 3 -- -m $twin --dataset "$data" --samples 2000

echo "## the split of the cores (tiny-clip, 2,000 images)"
"$here/interleave.sh" 3 "t2s1=$new --threads 2 --streams 1" "t1s2=$new --threads 1 --streams 2" \
	"t2s2=$new --threads 2 --streams 2" "t1s1=$new --threads 1 --streams 1" -- -m $tiny --dataset "$data" --samples 2000

echo "## peak RSS against dataset size (tiny-clip)"
"$here/interleave.sh" 2 "n1000=$new --samples 1000" "n9999=$new" -- -m $tiny --dataset "$data"

if [ -f "$vit/config.json" ]; then
	echo "## the split of the cores (full-size ViT-B/32, 320 images)"
	"$here/interleave.sh" 1 "t2s1=$new --threads 2 --streams 1" "t1s2=$new --threads 1 --streams 2" -- -m "$vit" --dataset "$data" --samples 320
	echo "## peak RSS, full-size ViT-B/32 at batch 32 (default split)"
	"$here/interleave.sh" 2 "fp32=$new" "int8=$new --variant quantized" "int8-signed=$new --variant int8" -- -m "$vit" --dataset "$data" --samples 320
	echo "## the floor at batch 32, full-size ViT-B/32: fp32, int8 (uint8 weights), int8-signed; three rounds"
	for round in 1 2 3; do
		ZSIC_BENCH_MODELS=$models go test -run '^$' -benchtime 3x ./regress \
			-bench '^BenchmarkFloor$/^CLIP$/^bench$/^openai$/^clip-vit-base-patch32$/^(fp32|int8|int8-signed)$/^device=cpu$/^batch=32$' |
			awk -v r="$round" '/^Benchmark/ { for (i = 1; i < NF; i++) if ($(i + 1) == "images/s") print "round " r, $1, $i, "images/s" }'
	done
fi

echo "## make bench, twice"
for run in 1 2; do
	echo "### run $run"
	ZSIC_BENCH_MODELS=$models go test -run '^$' -benchtime 1s ./regress \
		-bench '^Benchmark(Floor|Evaluate)$/^CLIP$/^(tiny-clip|twin|bench)$/^(fp32|int8|openai)$/^(device=.*|clip-vit-base-patch32)$' |
		tee /dev/stderr | go run ./regress/cmd/benchtable
done
