package cache

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/x/cache")
	require.Equal(t, "/x/cache/zsic", Dir())
}

func TestFindData(t *testing.T) {
	root := filepath.Join(t.TempDir(), "repo")
	shared := filepath.Join(root, "..", "shared", "data")
	own := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("ZSIC_DATA", own)
	t.Setenv("ZSIC_CIFAR100", "")
	require.NoError(t, os.MkdirAll(filepath.Join(shared, "cifar100"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(shared, "cifar100", "test.parquet"), nil, 0o644))

	p, err := CIFAR100(root)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(shared, "cifar100", "test.parquet"), p)

	// $ZSIC_DATA comes first.
	require.NoError(t, os.MkdirAll(filepath.Join(own, "cifar100"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(own, "cifar100", "test.parquet"), nil, 0o644))
	p, err = FindData(root, "cifar100/test.parquet")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(own, "cifar100", "test.parquet"), p)

	_, err = FindData(root, "tokenizers/clip/vocab.json")
	require.ErrorContains(t, err, "data file tokenizers/clip/vocab.json not found in ["+own)
	require.ErrorContains(t, err, "run `make setup`, or set ZSIC_DATA")

	t.Setenv("ZSIC_CIFAR100", filepath.Join(own, "missing.parquet"))
	_, err = CIFAR100(root)
	require.ErrorContains(t, err, "ZSIC_CIFAR100="+filepath.Join(own, "missing.parquet"))
}
