package hub

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic/hub/hubtest"
)

func wdsRepo() map[string][]byte {
	shard := func(b byte) []byte { return bytes.Repeat([]byte{b}, 5000) } // LFS, over the CDN
	return map[string][]byte{
		"README.md":                             []byte("---\n---\n"),
		"classnames.txt":                        []byte("apple\ncrab\n"),
		"zeroshot_classification_templates.txt": []byte("a photo of a {c}.\n"),
		"test/nshards.txt":                      []byte("2\n"),
		"test/0.tar":                            shard('a'),
		"test/1.tar":                            shard('b'),
		"train/nshards.txt":                     []byte("1\n"),
		"train/0.tar":                           shard('c'),
	}
}

func TestWebDatasetOnlineThenOffline(t *testing.T) {
	files := wdsRepo()
	var cuts atomic.Int32
	cuts.Store(1)
	s := hubtest.NewServer(t, map[string]map[string][]byte{"datasets/clip-benchmark/wds_vtab-cifar100": files}, cutHalfway(files["test/1.tar"], &cuts))
	c := newClient(t, s)
	snap, err := c.WebDataset(context.Background(), "clip-benchmark/wds_vtab-cifar100", "test", "main")
	require.NoError(t, err)
	for _, f := range []string{"classnames.txt", "zeroshot_classification_templates.txt", "test/nshards.txt", "test/0.tar", "test/1.tar"} {
		got, err := os.ReadFile(filepath.Join(snap, filepath.FromSlash(f)))
		require.NoError(t, err, f)
		require.Equal(t, files[f], got, f)
	}
	require.NoFileExists(t, filepath.Join(snap, "train", "0.tar"), "only the split asked for")
	require.NoFileExists(t, filepath.Join(snap, "README.md"))
	requireResumed(t, s, files["test/1.tar"])

	// Offline, from the cache alone: the same folder, no request.
	before := len(s.Requests())
	c.Offline = true
	again, err := c.WebDataset(context.Background(), "clip-benchmark/wds_vtab-cifar100", "test", "main")
	require.NoError(t, err)
	require.Equal(t, snap, again)
	require.Len(t, s.Requests(), before)
	_, err = c.WebDataset(context.Background(), "clip-benchmark/wds_vtab-cifar100", "train", "main")
	require.ErrorIs(t, err, ErrNotCached)
	require.ErrorContains(t, err, "run once online")
	require.NoError(t, os.Remove(filepath.Join(snap, "test", "1.tar")))
	_, err = c.WebDataset(context.Background(), "clip-benchmark/wds_vtab-cifar100", "test", "main")
	require.ErrorIs(t, err, ErrNotCached)
	require.ErrorContains(t, err, "lacks 1 of 2 shards (test/1.tar)")
}

func TestWebDatasetErrors(t *testing.T) {
	files := wdsRepo()
	short := wdsRepo()
	delete(short, "test/1.tar")
	huge := wdsRepo() // nshards.txt read by the rules of a local copy (package dataset)
	huge["test/nshards.txt"] = []byte("2000000\n")
	s := hubtest.NewServer(t, map[string]map[string][]byte{
		"datasets/cb/wds":   files,
		"datasets/cb/short": short,
		"datasets/cb/huge":  huge,
		"datasets/cb/plain": {"data/test-00000-of-00001.parquet": []byte("PAR1")},
	})
	c := newClient(t, s)
	ctx := context.Background()
	_, err := c.WebDataset(ctx, "cb/wds", "validation", "main")
	require.ErrorContains(t, err, `has no split "validation" (no validation/nshards.txt); its splits: test, train`)
	_, err = c.WebDataset(ctx, "cb/short", "test", "main")
	require.ErrorContains(t, err, "test/nshards.txt says 2 shards, but 1 are not in the repository (test/1.tar)")
	_, err = c.WebDataset(ctx, "cb/huge", "test", "main")
	require.ErrorContains(t, err, filepath.Join("test", "nshards.txt")+" says 2000000 shards; more than zsic reads (1048576)")
	_, err = c.WebDataset(ctx, "cb/plain", "test", "main")
	require.ErrorContains(t, err, "not in CLIP_benchmark's WebDataset layout")
	_, err = c.WebDataset(ctx, "cb/wds", "../x", "main")
	require.ErrorContains(t, err, "is not a folder name")
}
