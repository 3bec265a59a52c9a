package dataset

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"
)

// hfImage is the Hugging Face Image feature's parquet struct.
type hfImage struct {
	Bytes []byte  `parquet:"bytes,optional"`
	Path  *string `parquet:"path,optional"`
}

// hfRow is a row in the layout of uoft-cs/cifar100.
type hfRow struct {
	Img         *hfImage `parquet:"img,optional"`
	FineLabel   *int64   `parquet:"fine_label,optional"`
	CoarseLabel int64    `parquet:"coarse_label"`
}

// rawRow is a row whose image column holds the bytes themselves.
type rawRow struct {
	Image []byte  `parquet:"image"`
	Label int32   `parquet:"label"`
	Score float32 `parquet:"score"`
}

// testClasses are the class names of the generated datasets.
var testClasses = []string{"maple_tree", "cat", "sweet_pepper"}

// testPNG returns a 3x2 PNG whose pixels encode i.
func testPNG(t testing.TB, i int) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	for p := 0; p < 6; p++ {
		m.Set(p%3, p/3, color.NRGBA{R: byte(i), G: byte(i >> 8), B: byte(p), A: 255})
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, m))
	return b.Bytes()
}

// testLabel is the label of generated row i.
func testLabel(i int) int { return i % len(testClasses) }

// hfMeta returns "huggingface" metadata naming classes for fine_label.
func hfMeta(t testing.TB, classes []string) string {
	t.Helper()
	meta := map[string]any{"info": map[string]any{"features": map[string]any{
		"img":          map[string]any{"_type": "Image"},
		"fine_label":   map[string]any{"_type": "ClassLabel", "names": classes},
		"coarse_label": map[string]any{"_type": "Value", "dtype": "int64"},
	}}}
	data, err := json.Marshal(meta)
	require.NoError(t, err)
	return string(data)
}

// writeHF writes rows first to first+n-1 in the CIFAR layout, perRG rows a
// row group, with small pages; meta "" writes no metadata.
func writeHF(t testing.TB, path string, first, n, perRG int, meta string) {
	t.Helper()
	rows := make([]hfRow, n)
	for k := range rows {
		i := first + k
		label := int64(testLabel(i))
		p := filepath.Join("imgs", string(rune('a'+i%26))+".png")
		rows[k] = hfRow{Img: &hfImage{Bytes: testPNG(t, i), Path: &p}, FineLabel: &label, CoarseLabel: 7}
	}
	opts := []parquet.WriterOption{parquet.MaxRowsPerRowGroup(int64(perRG)), parquet.PageBufferSize(256)}
	if meta != "" {
		opts = append(opts, parquet.KeyValueMetadata(hfMetadataKey, meta))
	}
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	w := parquet.NewGenericWriter[hfRow](f, opts...)
	for k := range rows { // One row a call, so that pages are cut at 256 bytes.
		_, err := w.Write(rows[k : k+1])
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
}

// writeRows writes arbitrary rows to a parquet file.
func writeRows[T any](t testing.TB, path string, rows []T) {
	t.Helper()
	require.NoError(t, parquet.WriteFile(path, rows))
}

// readAll reads rows of src and returns the samples.
func readAll(t testing.TB, src Source, rows []int) []Sample {
	t.Helper()
	var got []Sample
	require.NoError(t, src.Read(rows, func(s Sample) error {
		got = append(got, s)
		return nil
	}))
	return got
}

// allRows returns 0 to n-1.
func allRows(n int) []int {
	rows, _ := Select(n, 0, false, 0)
	return rows
}

// writeFile writes data to dir/name, creating folders.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

// encodePNG encodes RGB pixels as an RGBA PNG with Go's encoder.
func encodePNG(t testing.TB, w, h int, pix []byte) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		copy(m.Pix[4*i:], pix[3*i:3*i+3])
		m.Pix[4*i+3] = 255
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, m))
	return b.Bytes()
}
