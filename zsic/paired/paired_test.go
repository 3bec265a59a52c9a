package paired

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

// exactMcNemar computes 2·Σ_{i≤min(b,c)} C(b+c, i) / 2^(b+c), capped at 1,
// in exact rational arithmetic: an implementation independent of McNemar's
// log-space sum.
func exactMcNemar(b, c int) float64 {
	n, k := int64(b+c), int64(min(b, c))
	sum := new(big.Int)
	for i := int64(0); i <= k; i++ {
		sum.Add(sum, new(big.Int).Binomial(n, i))
	}
	p := new(big.Rat).SetFrac(new(big.Int).Lsh(sum, 1), new(big.Int).Lsh(big.NewInt(1), uint(n)))
	if p.Cmp(big.NewRat(1, 1)) > 0 {
		return 1
	}
	f, _ := p.Float64()
	return f
}

func TestMcNemarExactSums(t *testing.T) {
	// Values from Python's math.comb and fractions.Fraction, as in
	// regress's TestMcNemar.
	known := []struct {
		b, c int
		want float64
	}{
		{0, 0, 1}, {1, 0, 1}, {3, 3, 1},
		{4, 1, 0.375},
		{9, 3, 0.14599609375},
		{0, 12, 0.00048828125},
		{12, 30, 0.007915897334896727},
		{80, 120, 0.0056851559967503055},
	}
	for _, k := range known {
		require.InEpsilon(t, k.want, McNemar(k.b, k.c), 1e-12, "McNemar(%d, %d)", k.b, k.c)
		require.InEpsilon(t, k.want, exactMcNemar(k.b, k.c), 1e-15, "exact(%d, %d)", k.b, k.c)
	}
	for b := 0; b <= 60; b += 3 {
		for c := 0; c <= 60; c += 4 {
			require.InEpsilon(t, exactMcNemar(b, c), McNemar(b, c), 1e-9, "McNemar(%d, %d)", b, c)
		}
	}
	require.True(t, math.IsNaN(McNemar(0, -1)))
}

// TestTableHandMade tabulates ten samples worked out by hand.
func TestTableHandMade(t *testing.T) {
	samples := []struct{ label, first, second int }{
		{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {3, 3, 3}, // both right
		{4, 4, 5}, {5, 5, 6}, {6, 6, 0}, // only the first right
		{7, 1, 7}, // only the second right
		{8, 2, 2}, // both wrong, agreeing
		{9, 3, 4}, // both wrong, disagreeing
	}
	var tab Table
	for _, s := range samples {
		tab.Add(s.label, s.first, s.second)
	}
	require.Equal(t, Table{N: 10, Agree: 5, BothRight: 4, OnlyFirst: 3, OnlySecond: 1, BothWrong: 2}, tab)
	a, b := tab.Top1()
	require.InDelta(t, 70, a, 1e-12)
	require.InDelta(t, 50, b, 1e-12)
	require.InDelta(t, -20, tab.Delta(), 1e-12)
	require.InDelta(t, 50, tab.Agreement(), 1e-12)
	// b=3, c=1: 2·(C(4,0)+C(4,1))/16 = 10/16.
	require.InDelta(t, 0.625, tab.PValue(), 1e-12)
	// (1−3)/10 ± 1.96·√(4 − 4/10)/10 = −0.2 ± 0.371884 → points.
	lo, hi := tab.DeltaCI95()
	require.InDelta(t, -20-37.18838528, lo, 1e-6)
	require.InDelta(t, -20+37.18838528, hi, 1e-6)

	var empty Table
	a, b = empty.Top1()
	require.Zero(t, a+b+empty.Agreement())
	require.Equal(t, 1.0, empty.PValue())
}
