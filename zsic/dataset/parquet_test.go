package dataset

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParquetRead(t *testing.T) {
	dir := t.TempDir()
	one := filepath.Join(dir, "one.parquet")
	writeHF(t, one, 0, 50, 50, hfMeta(t, testClasses))
	groups := filepath.Join(dir, "groups.parquet")
	writeHF(t, groups, 0, 50, 7, hfMeta(t, testClasses))
	shards := filepath.Join(dir, "shards")
	writeHF(t, filepath.Join(shards, "train-00000-of-00003.parquet"), 0, 20, 6, hfMeta(t, testClasses))
	writeHF(t, filepath.Join(shards, "train-00001-of-00003.parquet"), 20, 5, 6, hfMeta(t, testClasses))
	writeHF(t, filepath.Join(shards, "train-00002-of-00003.parquet"), 25, 25, 9, "")
	writeFile(t, shards, "README.md", []byte("not a shard"))

	tests := []struct {
		name string
		path string
		rows []int
	}{
		{"one row group, all", one, allRows(50)},
		{"one row group, some", one, []int{0, 3, 4, 49}},
		{"row groups, all", groups, allRows(50)},
		{"row groups, sparse", groups, []int{1, 6, 7, 13, 14, 30, 48, 49}},
		{"row groups, last only", groups, []int{49}},
		{"row groups, none", groups, nil},
		{"shards, all", shards, allRows(50)},
		{"shards, across", shards, []int{19, 20, 24, 25, 26, 49}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Open(tt.path, DefaultColumns())
			require.NoError(t, err)
			defer src.Close()
			require.Equal(t, 50, src.Len())
			require.Equal(t, testClasses, src.Classes())
			got := readAll(t, src, tt.rows)
			require.Len(t, got, len(tt.rows))
			for k, s := range got {
				i := tt.rows[k]
				require.Equal(t, i, s.Row)
				require.Equal(t, testPNG(t, i), s.Image, "row %d", i)
				require.Equal(t, testLabel(i), s.Label, "row %d", i)
				require.Equal(t, filepath.Join("imgs", string(rune('a'+i%26))+".png"), s.Path)
			}
		})
	}
}

func TestParquetRawColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "raw.parquet")
	rows := []rawRow{{Image: testPNG(t, 5), Label: 2}, {Image: testPNG(t, 6), Label: -1}}
	writeRows(t, path, rows)

	src, err := OpenParquet([]string{path}, Columns{Image: "image", Label: "label"})
	require.NoError(t, err)
	defer src.Close()
	require.Nil(t, src.Classes())
	got := readAll(t, src, []int{0, 1})
	require.Equal(t, []Sample{
		{Row: 0, Image: rows[0].Image, Label: 2},
		{Row: 1, Image: rows[1].Image, Label: -1},
	}, got)

	_, err = ClassNames(src, "")
	require.ErrorIs(t, err, ErrNoClasses)
	require.ErrorContains(t, err, "the label column has no ClassLabel names")
	require.NotContains(t, err.Error(), "--", "a library message names no CLI flag")

	unlabelled, err := OpenParquet([]string{path}, Columns{Image: "image"})
	require.NoError(t, err)
	defer unlabelled.Close()
	require.Equal(t, -1, readAll(t, unlabelled, []int{0})[0].Label)
}

func TestParquetNoMetadata(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bare.parquet")
	writeHF(t, path, 0, 4, 4, "")
	src, err := Open(path, DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	require.Nil(t, src.Classes())
	require.Equal(t, 1, readAll(t, src, []int{1})[0].Label)

	coarse, err := Open(path, Columns{Image: "img", Label: "coarse_label"})
	require.NoError(t, err)
	defer coarse.Close()
	require.Equal(t, 7, readAll(t, coarse, []int{3})[0].Label)
}

func TestParquetErrors(t *testing.T) {
	dir := t.TempDir()
	hf := filepath.Join(dir, "hf.parquet")
	writeHF(t, hf, 0, 3, 3, hfMeta(t, testClasses))
	other := filepath.Join(dir, "other.parquet")
	writeHF(t, other, 3, 3, 3, hfMeta(t, []string{"x", "y", "z"}))
	raw := filepath.Join(dir, "raw.parquet")
	writeRows(t, raw, []rawRow{{Image: []byte("x"), Label: 1}})
	list := filepath.Join(dir, "list.parquet")
	writeRows(t, list, []struct {
		Image [][]byte `parquet:"image,list"`
		Label []int64  `parquet:"label,list"`
	}{{Image: [][]byte{[]byte("x")}, Label: []int64{1}}})
	badMeta := filepath.Join(dir, "badmeta.parquet")
	writeHF(t, badMeta, 0, 1, 1, "{not json")
	notParquet := writeFile(t, dir, "junk.parquet", []byte("PAR1 but not really"))

	tests := []struct {
		name  string
		paths []string
		cols  Columns
		want  string
	}{
		{"missing image column", []string{hf}, Columns{Image: "image", Label: "fine_label"},
			`no image column "image": the columns are img, fine_label, coarse_label`},
		{"missing label column", []string{hf}, Columns{Image: "img", Label: "label"},
			`no label column "label": the columns are img, fine_label, coarse_label`},
		{"image is not bytes", []string{hf}, Columns{Image: "fine_label", Label: "coarse_label"},
			`column "fine_label" holds INT64 values, want BYTE_ARRAY`},
		{"label is not an integer", []string{raw}, Columns{Image: "image", Label: "score"},
			`column "score" holds FLOAT values, want INT64`},
		{"label is a group", []string{hf}, Columns{Image: "img", Label: "img"},
			`label column "img" is a group, want an integer column`},
		{"list column", []string{list}, Columns{Image: "image", Label: "label"},
			`want binary or {bytes, path}`},
		{"no image column name", []string{hf}, Columns{Label: "fine_label"}, "no image column given"},
		{"no files", nil, DefaultColumns(), "no files given"},
		{"classes differ", []string{hf, other}, DefaultColumns(),
			`class names of column "fine_label" differ from those of ` + hf},
		{"bad metadata", []string{badMeta}, DefaultColumns(), `parse "huggingface" metadata`},
		{"not parquet", []string{notParquet}, DefaultColumns(), "open parquet " + notParquet},
		{"missing file", []string{filepath.Join(dir, "nope.parquet")}, DefaultColumns(), "nope.parquet: no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := OpenParquet(tt.paths, tt.cols)
			require.ErrorContains(t, err, tt.want)
			require.Nil(t, src)
		})
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	hf := filepath.Join(dir, "hf.parquet")
	writeHF(t, hf, 0, 10, 4, hfMeta(t, testClasses))

	src, err := Open(hf, DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	stop := errors.New("stop")

	tests := []struct {
		name string
		src  Source
		rows []int
		fn   func(Sample) error
		want string
	}{
		{"out of range", src, []int{3, 10}, nil, "row 10 out of range: the dataset has 10 rows (0 to 9)"},
		{"negative", src, []int{-1}, nil, "row -1 out of range"},
		{"not ascending", src, []int{5, 2}, nil, "rows[1]=2 does not follow rows[0]=5: rows must be ascending and distinct"},
		{"repeated", src, []int{2, 2}, nil, "rows[1]=2 does not follow rows[0]=2"},
		{"callback error", src, []int{1, 2, 9}, func(s Sample) error {
			if s.Row == 2 {
				return stop
			}
			return nil
		}, "stop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []int
			err := tt.src.Read(tt.rows, func(s Sample) error {
				seen = append(seen, s.Row)
				if tt.fn != nil {
					return tt.fn(s)
				}
				return nil
			})
			require.ErrorContains(t, err, tt.want)
			if tt.name == "callback error" {
				require.ErrorIs(t, err, stop)
				require.Equal(t, []int{1, 2}, seen)
			}
		})
	}

	require.NoError(t, src.Close())
	require.ErrorContains(t, src.Read([]int{0}, func(Sample) error { return nil }), "dataset is closed")
}
