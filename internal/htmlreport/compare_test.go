package htmlreport

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/paired"
)

// pred makes a prediction of row with true label and ranked labels.
func pred(row, label int, top ...int) zsic.Prediction {
	scores := make([]float64, len(top))
	for i := range scores {
		scores[i] = 0.5 / float64(i+1)
	}
	return zsic.Prediction{Row: row, Label: label, Top5: top, Scores: scores}
}

// TestComparePredictionsHandMade compares two runs of eight samples over
// three classes, worked out by hand.
func TestComparePredictionsHandMade(t *testing.T) {
	a := []zsic.Prediction{
		pred(0, 0, 0, 1), // right in both
		pred(1, 0, 0, 2), // right → wrong (2), top-5 keeps it
		pred(2, 1, 1, 0), // right → wrong (0), falls out of B's top-2
		pred(3, 1, 2, 1), // wrong → right
		pred(4, 2, 0, 1), // wrong → wrong (0 → 1)
		pred(5, 2, 1, 0), // wrong in both, same label
		pred(6, 2, 2, 0), // right in both
		pred(7, 1, 1, 2), // right in both
	}
	b := []zsic.Prediction{
		pred(7, 1, 1, 2), // B in another order: pairing is by row
		pred(6, 2, 2, 1),
		pred(5, 2, 1, 0),
		pred(4, 2, 1, 0),
		pred(3, 1, 1, 2),
		pred(2, 1, 0, 2),
		pred(1, 0, 2, 0),
		pred(0, 0, 0, 1),
	}
	c, err := ComparePredictions(a, b, []string{"cat", "dog", "fox"})
	require.NoError(t, err)
	// A right: rows 0, 1, 2, 6, 7 (5); B right: 0, 3, 6, 7 (4).
	require.Equal(t, paired.Table{N: 8, Agree: 4, BothRight: 3, OnlyFirst: 2, OnlySecond: 1, BothWrong: 2}, c.Table)
	require.InDelta(t, 62.5, c.A.Top1, 1e-12)
	require.InDelta(t, 50, c.B.Top1, 1e-12)
	require.InDelta(t, -12.5, c.Table.Delta(), 1e-12)
	// Top-5 (here top-2): A has the label in rows 0-3, 6, 7 (6 of 8); B
	// in rows 0, 1, 3, 6, 7 (5 of 8).
	require.InDelta(t, 75, c.A.Top5, 1e-12)
	require.InDelta(t, 62.5, c.B.Top5, 1e-12)
	// b=2, c=1: 2·(C(3,0)+C(3,1))/8 = 1, capped.
	require.Equal(t, 1.0, c.Table.PValue())
	rw, wr, ww := c.FlipCounts()
	require.Equal(t, [3]int{2, 1, 1}, [3]int{rw, wr, ww})
	rows := make([]int, len(c.Flips))
	for i, f := range c.Flips {
		rows[i] = f.A.Row
	}
	require.Equal(t, []int{1, 2, 3, 4}, rows, "right→wrong first, then wrong→right, then wrong→wrong")
	// Per class: cat (rows 0, 1): 2 → 1; dog (2, 3, 7): 2 → 2; fox (4, 5, 6): 1 → 1.
	require.Len(t, c.PerClass, 3)
	require.Equal(t, "cat", c.PerClass[0].Name)
	require.InDelta(t, -50, c.PerClass[0].Delta(), 1e-12)
	require.Equal(t, ClassDelta{ID: 1, Name: "dog", N: 3, Top1A: 2, Top1B: 2, Top5A: 3, Top5B: 2}, c.PerClass[1])
	require.InDelta(t, -100.0/3, c.PerClass[1].Delta5(), 1e-12)
	require.Equal(t, []ClassDelta{c.PerClass[0], c.PerClass[1]}, c.Changed(), "fox is unchanged")
	require.Equal(t, c.Changed(), c.Worsened(5), "dog is worse by top-5 only")
	require.Empty(t, c.Improved(5))
	require.Equal(t, c.PerClass[:1], c.Worsened(1))
	require.False(t, c.Significant(0.05))
	require.Contains(t, Verdict(c, 0.05), "no significant difference: B's top-1 is -12.50 pts against A (exact McNemar p = 1 ≥ 0.05)")
}

func TestComparePredictionsRefusesOtherSamples(t *testing.T) {
	a := []zsic.Prediction{pred(0, 0, 0), pred(1, 1, 1), pred(2, 2, 2), pred(3, 0, 0)}
	b := []zsic.Prediction{pred(0, 0, 0), pred(1, 2, 1), pred(3, 0, 0), pred(9, 1, 1), pred(8, 1, 1)}
	_, err := ComparePredictions(a, b, []string{"a", "b", "c"})
	require.Error(t, err)
	for _, want := range []string{"different samples (4 and 5 predictions)", "1 rows only in A: 2", "2 rows only in B: 9, 8",
		"1 rows whose true label differs: 1 (label 1 in A, 2 in B)"} {
		require.Contains(t, err.Error(), want)
	}
	var many []zsic.Prediction
	for i := range 30 {
		many = append(many, pred(100+i, 0, 0))
	}
	_, err = ComparePredictions(a, append(a[:len(a):len(a)], many...), []string{"a", "b", "c"})
	require.ErrorContains(t, err, "30 rows only in B: 100, 101, 102, 103, 104, 105, 106, 107, 108, 109 and 20 more")
}

func TestCompareSignificantDrop(t *testing.T) {
	// 40 samples right in A; B loses 12 of them and gains 2: b=12, c=2,
	// p = 2·Σ_{i≤2} C(14, i)/2^14 = 2·(1+14+91)/16384 = 0.012939453125.
	var a, b []zsic.Prediction
	for i := range 40 {
		a = append(a, pred(i, 0, 0, 1))
		switch {
		case i < 12:
			b = append(b, pred(i, 0, 1, 0))
		default:
			b = append(b, pred(i, 0, 0, 1))
		}
	}
	for i := 40; i < 42; i++ {
		a = append(a, pred(i, 1, 0, 1))
		b = append(b, pred(i, 1, 1, 0))
	}
	c, err := ComparePredictions(a, b, []string{"x", "y"})
	require.NoError(t, err)
	require.InEpsilon(t, 0.012939453125, c.Table.PValue(), 1e-12)
	require.True(t, c.Significant(0.05))
	require.False(t, c.Significant(0.01))
	require.True(t, strings.HasPrefix(Verdict(c, 0.05), "B is significantly worse: top-1 -23.81 pts (exact McNemar p = 0.0129 < 0.05)"), Verdict(c, 0.05))
}
