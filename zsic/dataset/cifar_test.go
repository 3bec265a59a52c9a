package dataset

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic"
)

func TestCIFAR100(t *testing.T) {
	src, err := Open(testenv.CIFAR100(t), DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	require.Equal(t, 9999, src.Len())
	classes := src.Classes()
	require.Len(t, classes, 100)
	tests := []struct {
		label  int
		name   string
		prompt string
	}{
		{0, "apple", "apple"},
		{1, "aquarium_fish", "aquarium fish"},
		{26, "cra", "cra"}, // sic: the uoft-cs/cifar100 metadata says "cra" for crab
		{47, "maple_tree", "maple tree"},
		{99, "worm", "worm"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.name, classes[tt.label])
		require.Equal(t, tt.prompt, zsic.PromptName(classes[tt.label]))
	}

	coarse, err := Open(testenv.CIFAR100(t), Columns{Image: "img", Label: "coarse_label"})
	require.NoError(t, err)
	defer coarse.Close()
	require.Len(t, coarse.Classes(), 20)
	require.Equal(t, "aquatic_mammals", coarse.Classes()[0])

	// The last row of each 1,000-row group and the first of the next.
	rows := []int{0, 999, 1000, 8999, 9000, 9998}
	got := readAll(t, src, rows)
	require.Len(t, got, len(rows))
	for k, s := range got {
		require.Equal(t, rows[k], s.Row)
		require.GreaterOrEqual(t, s.Label, 0)
		require.Less(t, s.Label, 100)
		w, h, _, err := RGBPixels(s.Image)
		require.NoError(t, err)
		require.Equal(t, [2]int{32, 32}, [2]int{w, h})
	}

	_, err = Select(src.Len(), 10000, false, 0)
	require.EqualError(t, err, "select rows: 10000 samples asked but the dataset has only 9999 rows")
	_, err = Open(testenv.CIFAR100(t), Columns{Image: "image", Label: "label"})
	require.ErrorContains(t, err, filepath.Base(testenv.CIFAR100(t)))
	require.ErrorContains(t, err, `no image column "image": the columns are img, fine_label, coarse_label`)
}

// BenchmarkReadCIFAR1000 reads a seeded sample of 1,000 rows of the
// CIFAR-100 test parquet (spread over all row groups), without decoding.
func BenchmarkReadCIFAR1000(b *testing.B) {
	src, err := Open(testenv.CIFAR100(b), DefaultColumns())
	require.NoError(b, err)
	defer src.Close()
	rows, err := Select(src.Len(), 1000, true, 2026)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		require.NoError(b, src.Read(rows, func(s Sample) error {
			n += len(s.Image)
			return nil
		}))
		b.SetBytes(int64(n))
	}
}
