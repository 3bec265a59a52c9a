package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"
)

// TestEvalUndecodable evaluates an image folder holding one broken file:
// counted and reported by default, fatal with --strict.
func TestEvalUndecodable(t *testing.T) {
	dir := t.TempDir()
	for i, row := range []int{0, 1, 2} {
		png, label := cifarImage(t, row)
		data, err := os.ReadFile(png)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Join(dir, label), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, label, string(rune('a'+i))+".png"), data, 0o644))
	}
	broken := filepath.Join(dir, "zebra", "broken.png")
	require.NoError(t, os.MkdirAll(filepath.Dir(broken), 0o755))
	require.NoError(t, os.WriteFile(broken, []byte("not a png"), 0o644))

	code, stdout, stderr := runCLI(t, "eval", "-m", tinyCLIP(t), "--dataset", dir, "--quiet")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "(3 samples")
	require.Contains(t, stderr, "warning: 1 image(s) could not be read or decoded and were skipped; first: row 3: decode image (9 bytes): unknown format")

	code, _, stderr = runCLI(t, "eval", "-m", tinyCLIP(t), "--dataset", dir, "--quiet", "--strict")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "row 3 ("+broken+"): decode image (9 bytes): unknown format")
}

// TestEvalNoClassNames evaluates a parquet whose label column has no
// ClassLabel names: an error until --labels gives them.
func TestEvalNoClassNames(t *testing.T) {
	type row struct {
		Image []byte `parquet:"image"`
		Label int64  `parquet:"label"`
	}
	var rows []row
	for r := range 4 {
		png, _ := cifarImage(t, r)
		data, err := os.ReadFile(png)
		require.NoError(t, err)
		rows = append(rows, row{data, int64(r % 2)})
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "plain.parquet")
	require.NoError(t, parquet.WriteFile(path, rows))
	cols := []string{"--column", "input_column=image", "--column", "label_column=label"}

	code, _, stderr := runCLI(t, append([]string{"eval", "-m", tinyCLIP(t), "--dataset", path, "--quiet"}, cols...)...)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "the label column has no ClassLabel names; give them with --labels a,b,c or --labels @FILE")

	labels := filepath.Join(dir, "labels.txt")
	require.NoError(t, os.WriteFile(labels, []byte("apple\nmaple_tree\n"), 0o644))
	// A file needs the @: a bare path would be one class name.
	code, _, stderr = runCLI(t, append([]string{"eval", "-m", tinyCLIP(t), "--dataset", path, "--quiet", "--labels", labels}, cols...)...)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "--labels "+labels+" names a file: write --labels @"+labels)
	code, stdout, stderr := runCLI(t, append([]string{"eval", "-m", tinyCLIP(t), "--dataset", path, "--quiet", "--labels", "@" + labels}, cols...)...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "(4 samples")
}
