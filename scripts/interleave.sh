#!/bin/sh
# Interleaved timing of several zsic runs of the same evaluation:
#   scripts/interleave.sh ROUNDS 'LABEL=BIN [FLAGS...]' ... -- EVAL_ARGS...
# Each round runs every 'LABEL=BIN FLAGS' once as `BIN eval --quiet FLAGS
# EVAL_ARGS`, the order rotating from round to round, and prints one line
# per run: label, wall seconds, CPU seconds (user+system), peak RSS KiB,
# from /usr/bin/time. Then, per label: median wall and CPU, peak RSS, and
# the ratios to the first label. Labels must be single words. Not part of CI.
set -eu
rounds=$1
shift
n=0
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	n=$((n + 1))
	eval "run$n=\$1"
	shift
done
[ $# -gt 0 ] && shift # the --
[ "$n" -gt 0 ] || { echo "usage: $0 ROUNDS 'LABEL=BIN [FLAGS]'... -- EVAL_ARGS" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out" "$out.t"' EXIT
i=0
while [ "$i" -lt "$rounds" ]; do
	k=0
	while [ "$k" -lt "$n" ]; do
		eval "spec=\$run$(((i + k) % n + 1))"
		label=${spec%%=*}
		cmd=${spec#*=}
		bin=${cmd%% *}
		flags=
		[ "$bin" = "$cmd" ] || flags=${cmd#* }
		# shellcheck disable=SC2086 # flags are words
		/usr/bin/time -f "$label %e %U %S %M" -o "$out.t" "$bin" eval --quiet $flags "$@" >/dev/null
		tee -a "$out" <"$out.t"
		k=$((k + 1))
	done
	i=$((i + 1))
done
first=${run1%%=*}
awk -v first="$first" '
function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
{ if (!($1 in n)) order[++labels] = $1; n[$1]++; w[$1, n[$1]] = $2; c[$1, n[$1]] = $3 + $4; if ($5 > r[$1]) r[$1] = $5 }
END {
	for (k in n) { for (i = 1; i <= n[k]; i++) { ww[i] = w[k, i]; cc[i] = c[k, i] } mw[k] = median(ww, n[k]); mc[k] = median(cc, n[k]) }
	printf "%-12s %10s %10s %10s %14s %14s\n", "run", "wall s", "CPU s", "RSS MiB", "speed-up", "CPU ratio"
	for (j = 1; j <= labels; j++) { k = order[j]
		printf "%-12s %10.2f %10.2f %10.1f %13.2fx %14.3f\n", k, mw[k], mc[k], r[k] / 1024, mw[first] / mw[k], mc[k] / mc[first] }
}' "$out"
