#!/bin/sh
# Paired, interleaved timing of two zsic binaries on the same evaluation:
#   scripts/paired.sh OLD_BIN NEW_BIN ROUNDS -- EVAL_ARGS...
# Each round runs OLD then NEW (alternating which goes first), and prints one
# line per run: which, wall seconds, CPU seconds (user+system), peak RSS KiB,
# from /usr/bin/time. Summaries: median wall and CPU per binary, and the
# ratios new/old. Not part of CI.
set -eu
old=$1 new=$2 rounds=$3
shift 4
out=$(mktemp)
trap 'rm -f "$out"' EXIT
i=0
while [ "$i" -lt "$rounds" ]; do
	if [ $((i % 2)) -eq 0 ]; then order="old new"; else order="new old"; fi
	for which in $order; do
		eval bin=\$$which
		/usr/bin/time -f "$which %e %U %S %M" -o "$out.t" "$bin" eval --quiet "$@" >/dev/null
		cat "$out.t" | tee -a "$out"
	done
	i=$((i + 1))
done
awk '
function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
{ n[$1]++; w[$1, n[$1]] = $2; c[$1, n[$1]] = $3 + $4; if ($5 > r[$1]) r[$1] = $5 }
END {
	for (k in n) { for (i = 1; i <= n[k]; i++) { ww[i] = w[k, i]; cc[i] = c[k, i] } mw[k] = median(ww, n[k]); mc[k] = median(cc, n[k]) }
	printf "median wall: old %.2f s, new %.2f s (new/old %.3f, speed-up %.2fx)\n", mw["old"], mw["new"], mw["new"] / mw["old"], mw["old"] / mw["new"]
	printf "median CPU:  old %.2f s, new %.2f s (new/old %.3f)\n", mc["old"], mc["new"], mc["new"] / mc["old"]
	printf "peak RSS:    old %.1f MiB, new %.1f MiB\n", r["old"] / 1024, r["new"] / 1024
}' "$out"
rm -f "$out.t"
