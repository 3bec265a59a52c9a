package regress

import (
	"math"

	"github.com/zsic/zsic/zsic/paired"
)

// McNemar returns the exact two-sided p-value of McNemar's test for paired
// outcomes with b and c discordant pairs; see paired.McNemar.
func McNemar(b, c int) float64 { return paired.McNemar(b, c) }

// StdErr returns the standard error, in percentage points, of an accuracy
// of pct percent measured on n samples; see paired.StdErr.
func StdErr(n int, pct float64) float64 { return paired.StdErr(n, pct) }

// ceilToSamples rounds pts up to a whole number of samples out of n (each
// sample is 100/n points), and to at least one sample.
func ceilToSamples(pts float64, n int) float64 {
	step := 100 / float64(n)
	k := math.Max(1, math.Ceil(pts/step-1e-9))
	return round4(k * step)
}

// round4 rounds x to four decimals, so that percentages print exactly.
func round4(x float64) float64 {
	return math.Round(x*1e4) / 1e4
}
