package hub

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic/hub/hubtest"
)

func TestDatasetSplit(t *testing.T) {
	shard := func(s string) []byte { return []byte("PAR1 " + s + " PAR1") }
	repos := map[string]map[string][]byte{
		"datasets/org/own": {
			"README.md":                             []byte("---\n---\n"),
			"cifar100/test-00000-of-00001.parquet":  shard("own test"),
			"cifar100/train-00000-of-00001.parquet": shard("own train"),
		},
		"datasets/org/script": {"script.py": []byte("# loading script"), "README.md": []byte("hi")},
		"datasets/org/script@refs/convert/parquet": {
			"cifar100/test/0000.parquet":  shard("conv test 0"),
			"cifar100/test/0001.parquet":  shard("conv test 1"),
			"cifar100/train/0000.parquet": shard("conv train"),
			"other/test/0000.parquet":     shard("other test"),
		},
		"datasets/org/empty": {"README.md": []byte("nothing")},
	}
	tests := []struct {
		name, repo, split string
		wantRev           string // the revision whose snapshot holds the files
		want              []string
		wantErr           string
	}{
		{name: "own parquet files", repo: "org/own", split: "test", wantRev: "main",
			want: []string{"cifar100/test-00000-of-00001.parquet"}},
		{name: "parquet conversion", repo: "org/script", split: "cifar100/test", wantRev: ParquetBranch,
			want: []string{"cifar100/test/0000.parquet", "cifar100/test/0001.parquet"}},
		{name: "conversion with several configs", repo: "org/script", split: "test",
			wantErr: "several configs (cifar100, other)"},
		{name: "no parquet anywhere", repo: "org/empty", split: "test",
			wantErr: "dataset org/empty at revision main has no parquet files for split \"test\" (it holds README.md) and the Hub has no parquet conversion"},
		{name: "bad split", repo: "org/own", split: "a/b/c", wantErr: "want \"split\" or \"config/split\""},
	}
	s := hubtest.NewServer(t, repos)
	c := newClient(t, s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.DatasetSplit(context.Background(), tt.repo, tt.split, "main")
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			key := "datasets/" + tt.repo
			if tt.wantRev != "main" {
				key += "@" + tt.wantRev
			}
			snap := filepath.Join(c.CacheDir, "datasets--"+tt.repo[:3]+"--"+tt.repo[4:], "snapshots", s.Commit(key))
			require.Len(t, got, len(tt.want))
			for i, f := range tt.want {
				require.Equal(t, filepath.Join(snap, filepath.FromSlash(f)), got[i])
				b, err := os.ReadFile(got[i])
				require.NoError(t, err)
				require.Equal(t, repos[key][f], b)
			}

			// Offline, the same split comes from the cache.
			off := &Client{CacheDir: c.CacheDir, Offline: true}
			again, err := off.DatasetSplit(context.Background(), tt.repo, tt.split, "main")
			require.NoError(t, err)
			require.Equal(t, got, again)
		})
	}

	off := &Client{CacheDir: c.CacheDir, Offline: true}
	_, err := off.DatasetSplit(context.Background(), "org/own", "train", "main")
	require.ErrorIs(t, err, ErrNotCached, "only the test split was downloaded")
	require.ErrorContains(t, err, "no parquet files of split train")
	_, err = off.DatasetSplit(context.Background(), "org/never", "test", "main")
	require.ErrorIs(t, err, ErrNotCached)
	require.ErrorContains(t, err, "HF_HUB_OFFLINE=1")
}
