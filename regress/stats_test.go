package regress

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic"
)

// The want values are exact: 2·Σ_{i≤min(b,c)} C(b+c, i)/2^(b+c), capped at
// 1, computed with Python's math.comb and fractions.Fraction:
//
//	from math import comb; from fractions import Fraction
//	n, k = b + c, min(b, c)
//	float(min(1, 2 * Fraction(sum(comb(n, i) for i in range(k + 1)), 2**n)))
func TestMcNemar(t *testing.T) {
	tests := []struct {
		b, c int
		want float64
	}{
		{0, 0, 1},
		{0, 1, 1},
		{1, 2, 1},
		{5, 5, 1},
		{50, 50, 1},
		{3, 0, 0.25},
		{0, 5, 0.0625},
		{0, 6, 0.03125},
		{2, 10, 0.03857421875},
		{10, 2, 0.03857421875},
		{7, 20, 0.0191572904586792},
		{25, 45, 0.022462895492509277},
		{100, 140, 0.011664092317677663},
		{400, 600, 2.7284641560660184e-10},
		{0, 1000, 1.8665272370064378e-301}, // 2^-999: fine in log space
	}
	for _, tt := range tests {
		got := McNemar(tt.b, tt.c)
		require.InEpsilon(t, tt.want, got, 1e-9, "McNemar(%d, %d)", tt.b, tt.c)
	}
	require.True(t, math.IsNaN(McNemar(-1, 3)))
}

func TestStdErr(t *testing.T) {
	require.InDelta(t, 1.449137674618944, StdErr(1000, 30), 1e-12) // 100·√(0.3·0.7/1000)
	require.Equal(t, 0.0, StdErr(100, 0))
	require.True(t, math.IsNaN(StdErr(0, 50)))
}

func TestPolicyBand(t *testing.T) {
	tests := []struct {
		name       string
		p          Policy
		n          int
		m          zsic.Metrics
		top1, top5 float64
	}{
		// 1.5·1.449 = 2.17 pts, up to 2.2 (22 samples of 1000); top-5:
		// 1.5·100·√(0.6·0.4/1000) = 2.32, up to 2.4.
		{"fixture", Policy{Sigmas: 1.5, MinAgreement: 97}, 1000, zsic.Metrics{Top1: 30, Top5: 60}, 2.2, 2.4},
		// Chance on 100 samples: 1.5·0.995 = 1.49 pts, up to 2 samples.
		{"twin", Policy{Sigmas: 1.5, MinAgreement: 90}, 100, zsic.Metrics{Top1: 1, Top5: 5}, 2, 4},
		// No spread at all still allows one sample.
		{"perfect", Policy{Sigmas: 1.5, MinAgreement: 99}, 100, zsic.Metrics{Top1: 100, Top5: 100}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.p.Band(tt.n, tt.m)
			require.InDelta(t, tt.top1, b.Top1, 1e-9)
			require.InDelta(t, tt.top5, b.Top5, 1e-9)
			require.Equal(t, tt.p.MinAgreement, b.MinAgreement)
			require.Contains(t, b.Reason, "standard errors of a")
		})
	}
}
