package shard

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/report"
)

func TestDiff(t *testing.T) {
	a := testFingerprint(t, 50)
	b := testFingerprint(t, 50)
	require.Empty(t, Diff(a, b))
	require.Equal(t, a.Digest(), b.Digest())

	b.Model.Towers["image-encoder"] = FileID{Size: 10, SHA256: "ff"}
	b.Prompts.Prompts = report.NewStrings([]string{zsic.DefaultTemplate, "a photo of {}."})
	b.Selection.Shuffle = true
	require.Equal(t, []string{
		`model.towers.image-encoder.sha256: "aa" ≠ "ff"`,
		`selection.shuffle: false ≠ true`,
		`prompts.prompts.count: 1 ≠ 2`,
		`prompts.prompts.sha256: "` + a.Prompts.Prompts.SHA256 + `" ≠ "` + b.Prompts.Prompts.SHA256 + `"`,
		`prompts.prompts.values[1]: (none) ≠ "a photo of {}."`,
	}, Diff(a, b))
	require.NotEqual(t, a.Digest(), b.Digest())
}

func TestListFiles(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "cat"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cat", "a.png"), []byte("12345"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.parquet"), []byte("123"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".hidden"), []byte("123"), 0o644))
	id, err := ListFiles(dir)
	require.NoError(t, err)
	require.Equal(t, 2, id.Files)
	require.EqualValues(t, 8, id.Bytes)

	// The same files in another place are the same dataset; another size is not.
	other := t.TempDir()
	require.NoError(t, os.CopyFS(other, os.DirFS(dir)))
	id2, err := ListFiles(other)
	require.NoError(t, err)
	require.Equal(t, id, id2)
	require.NoError(t, os.WriteFile(filepath.Join(other, "b.parquet"), []byte("1234"), 0o644))
	id3, err := ListFiles(other)
	require.NoError(t, err)
	require.NotEqual(t, id.ListSHA256, id3.ListSHA256)

	file, err := ListFiles(filepath.Join(dir, "b.parquet"))
	require.NoError(t, err)
	require.Equal(t, 1, file.Files)
	require.EqualValues(t, 3, file.Bytes)

	_, err = ListFiles(filepath.Join(dir, "none"))
	require.ErrorContains(t, err, "none")
}

func TestHashTower(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.onnx")
	require.NoError(t, os.WriteFile(p, []byte("abc"), 0o644))
	id, err := HashTower(p)
	require.NoError(t, err)
	require.Equal(t, FileID{Size: 3, SHA256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}, id)
	require.NoError(t, os.WriteFile(p+"_data", []byte("abc"), 0o644))
	id, err = HashTower(p)
	require.NoError(t, err)
	require.NotNil(t, id.Data)
	require.EqualValues(t, 3, id.Data.Size)
}
