package dataset

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSelect(t *testing.T) {
	tests := []struct {
		name    string
		total   int
		n       int
		shuffle bool
		seed    int64
		want    []int
	}{
		{"all", 4, 0, false, 0, []int{0, 1, 2, 3}},
		{"all negative n", 3, -1, true, 5, []int{0, 1, 2}},
		{"first n", 10, 3, false, 0, []int{0, 1, 2}},
		{"shuffle all is all", 3, 3, true, 9, []int{0, 1, 2}},
		{"empty", 0, 0, false, 0, []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(tt.total, tt.n, tt.shuffle, tt.seed)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestSelectShuffle(t *testing.T) {
	a, err := Select(9999, 1000, true, 2026)
	require.NoError(t, err)
	require.Len(t, a, 1000)
	require.True(t, slices.IsSorted(a))
	require.Len(t, slices.Compact(slices.Clone(a)), 1000, "rows are distinct")
	require.GreaterOrEqual(t, a[0], 0)
	require.Less(t, a[999], 9999)
	require.Greater(t, a[999], 9000, "the sample spreads over the dataset")

	b, err := Select(9999, 1000, true, 2026)
	require.NoError(t, err)
	require.Equal(t, a, b, "same seed, same sample")
	c, err := Select(9999, 1000, true, 2027)
	require.NoError(t, err)
	require.NotEqual(t, a, c, "another seed, another sample")
}

func TestSelectErrors(t *testing.T) {
	_, err := Select(10, 11, false, 0)
	require.EqualError(t, err, "select rows: 11 samples asked but the dataset has only 10 rows")
	_, err = Select(-1, 0, false, 0)
	require.EqualError(t, err, "select rows: dataset size -1 is negative")
}
