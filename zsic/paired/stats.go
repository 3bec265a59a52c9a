package paired

import "math"

// McNemar returns the exact two-sided p-value of McNemar's test for paired
// outcomes with b and c discordant pairs (b pairs where only the first
// system is right, c where only the second is): under the null hypothesis
// of equal accuracy each discordant pair falls either way with probability
// ½, so min(b, c) is a draw of Binomial(b+c, ½), and the p-value is twice
// its lower tail, capped at 1. It is computed in log space, so any counts
// that fit an int are fine. Negative counts give NaN.
func McNemar(b, c int) float64 {
	if b < 0 || c < 0 {
		return math.NaN()
	}
	n := b + c
	if n == 0 {
		return 1
	}
	k := min(b, c)
	// log P(X ≤ k) = logsumexp_i [log C(n, i)] − n·log 2.
	terms := make([]float64, k+1)
	for i := range terms {
		terms[i] = logChoose(n, i)
	}
	logTail := logSumExp(terms) - float64(n)*math.Ln2
	return math.Min(1, 2*math.Exp(logTail))
}

// logChoose returns log C(n, k).
func logChoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// logSumExp returns log Σ exp(x) without overflow.
func logSumExp(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, x)
	}
	if math.IsInf(m, -1) {
		return m
	}
	var s float64
	for _, x := range xs {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}

// StdErr returns the standard error, in percentage points, of an accuracy
// of pct percent measured on n samples: 100·√(p(1−p)/n).
func StdErr(n int, pct float64) float64 {
	if n <= 0 {
		return math.NaN()
	}
	p := pct / 100
	return 100 * math.Sqrt(p*(1-p)/float64(n))
}
