package hub

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic/hub/hubtest"
)

func TestSnapshotLayout(t *testing.T) {
	files := modelFiles()
	s := hubtest.NewServer(t, map[string]map[string][]byte{"org/clip": files}, hubtest.Gated("org/clip", "hf_secret"))
	c := newClient(t, s)
	c.Token = "hf_secret"
	ctx := context.Background()

	snap, err := c.Snapshot(ctx, RepoModel, "org/clip", "main", notReadme)
	require.NoError(t, err)
	repoDir := filepath.Join(c.CacheDir, "models--org--clip")
	commit := s.Commit("org/clip")
	require.Equal(t, filepath.Join(repoDir, "snapshots", commit), snap)

	for name, content := range files {
		pointer := filepath.Join(snap, filepath.FromSlash(name))
		if name == "README.md" {
			require.NoFileExists(t, pointer, "unwanted files are not downloaded")
			continue
		}
		got, err := os.ReadFile(pointer)
		require.NoError(t, err, name)
		require.Equal(t, content, got, name)
		// huggingface_hub's layout: a relative symlink to ../../blobs/<etag>,
		// one more ../ per sub-folder; on Windows a hard link to the blob.
		if runtime.GOOS == "windows" {
			blob, err := os.Stat(filepath.Join(repoDir, "blobs", s.ETag(name, content)))
			require.NoError(t, err, name)
			ptr, err := os.Stat(pointer)
			require.NoError(t, err, name)
			require.True(t, os.SameFile(blob, ptr), "%s is a hard link to its blob", name)
		} else {
			link, err := os.Readlink(pointer)
			require.NoError(t, err, name)
			up := strings.Repeat("../", 2+strings.Count(name, "/"))
			require.Equal(t, up+"blobs/"+s.ETag(name, content), filepath.ToSlash(link), name)
		}
		require.FileExists(t, filepath.Join(c.CacheDir, ".locks", "models--org--clip", s.ETag(name, content)+".lock"))
	}
	ref, err := os.ReadFile(filepath.Join(repoDir, "refs", "main"))
	require.NoError(t, err)
	require.Equal(t, commit, string(ref))
	require.Empty(t, leftovers(t, c.CacheDir))

	// The token goes to the Hub, never to the CDN.
	var cdn int
	for _, r := range s.Requests() {
		if r.Server == "cdn" {
			cdn++
			require.Empty(t, r.Authorization, r.Path)
		} else {
			require.Equal(t, "Bearer hf_secret", r.Authorization, r.Path)
		}
	}
	require.Equal(t, 2, cdn, "one CDN download per LFS file")
	// Files resolve by commit, so that all come from one revision.
	require.Equal(t, 4, countRequests(s, "hub", "HEAD", "/org/clip/resolve/"+commit+"/"))

	// A second run downloads nothing; asking by commit gives the same
	// folder and writes no ref.
	before := len(s.Requests())
	again, err := c.Snapshot(ctx, RepoModel, "org/clip", commit, notReadme)
	require.NoError(t, err)
	require.Equal(t, snap, again)
	after := s.Requests()[before:]
	require.Len(t, after, 1)
	require.Equal(t, "/api/models/org/clip/revision/"+commit, after[0].Path)
	require.NoFileExists(t, filepath.Join(repoDir, "refs", commit))
}

func TestSnapshotDatasetRevisionWithSlash(t *testing.T) {
	key := "datasets/org/data@refs/convert/parquet"
	s := hubtest.NewServer(t, map[string]map[string][]byte{key: {"default/test/0000.parquet": []byte("PAR1")}})
	c := newClient(t, s)
	snap, err := c.Snapshot(context.Background(), RepoDataset, "org/data", ParquetBranch, nil)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(c.CacheDir, "datasets--org--data", "snapshots", s.Commit(key)), snap)
	// As huggingface_hub: refs/<revision>, so refs/refs/convert/parquet.
	ref, err := os.ReadFile(filepath.Join(c.CacheDir, "datasets--org--data", "refs", "refs", "convert", "parquet"))
	require.NoError(t, err)
	require.Equal(t, s.Commit(key), string(ref))
	require.Equal(t, 1, countRequests(s, "hub", "GET", "/api/datasets/org/data/revision/refs/convert/parquet"))
	require.Equal(t, 1, countRequests(s, "hub", "HEAD", "/datasets/org/data/resolve/"+s.Commit(key)+"/default/test/0000.parquet"))
}

func TestSnapshotRenamedRepoRedirect(t *testing.T) {
	// The Hub answers a renamed repository with a relative redirect; it is
	// followed, with the token, and the files cached under the name asked for.
	s := hubtest.NewServer(t, map[string]map[string][]byte{"org/clip": modelFiles()},
		hubtest.Gated("org/clip", "tok"),
		hubtest.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
			if p, ok := strings.CutPrefix(r.URL.Path, "/old/clip/"); ok {
				http.Redirect(w, r, "/org/clip/"+p, http.StatusTemporaryRedirect)
				return true
			}
			if p, ok := strings.CutPrefix(r.URL.Path, "/api/models/old/clip/"); ok {
				http.Redirect(w, r, "/api/models/org/clip/"+p, http.StatusTemporaryRedirect)
				return true
			}
			return false
		}))
	c := newClient(t, s)
	c.Token = "tok"
	snap, err := c.Snapshot(context.Background(), RepoModel, "old/clip", "main", notReadme)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(c.CacheDir, "models--old--clip", "snapshots", s.Commit("org/clip")), snap)
	got, err := os.ReadFile(filepath.Join(snap, "onnx", "vision_model.onnx"))
	require.NoError(t, err)
	require.Equal(t, modelFiles()["onnx/vision_model.onnx"], got)
}

func TestSnapshotOffline(t *testing.T) {
	s := hubtest.NewServer(t, map[string]map[string][]byte{"org/clip": modelFiles()})
	online := newClient(t, s)
	snap, err := online.Snapshot(context.Background(), RepoModel, "org/clip", "main", notReadme)
	require.NoError(t, err)
	commit := s.Commit("org/clip")
	s.Close() // offline must not need the network

	tests := []struct {
		name    string
		repo    string
		rev     string
		want    func(string) bool
		prepare func(t *testing.T)
		wantErr []string
	}{
		{name: "cached branch", repo: "org/clip", rev: "main", want: notReadme},
		{name: "cached commit", repo: "org/clip", rev: commit, want: notReadme},
		{name: "uncached revision", repo: "org/clip", rev: "dev", want: notReadme,
			wantErr: []string{"HF_HUB_OFFLINE=1", "model org/clip at revision dev", "not in the cache"}},
		{name: "uncached repository", repo: "org/other", rev: "main", want: notReadme,
			wantErr: []string{"model org/other at revision main", "not in the cache"}},
		{name: "wanted files not cached", repo: "org/clip", rev: "main", want: func(p string) bool { return p == "README.md" },
			wantErr: []string{"none of the files needed", "config.json"}},
		{name: "blob deleted", repo: "org/clip", rev: "main", want: notReadme,
			prepare: func(t *testing.T) {
				blob := filepath.Join(online.CacheDir, "models--org--clip", "blobs", s.ETag("config.json", modelFiles()["config.json"]))
				require.NoError(t, os.Remove(blob))
			},
			wantErr: []string{"blobs of config.json are missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prepare != nil {
				tt.prepare(t)
			}
			c := &Client{Endpoint: s.URL, CacheDir: online.CacheDir, Offline: true}
			got, err := c.Snapshot(context.Background(), RepoModel, tt.repo, tt.rev, tt.want)
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.Equal(t, snap, got)
				return
			}
			require.ErrorIs(t, err, ErrNotCached)
			for _, w := range tt.wantErr {
				require.ErrorContains(t, err, w)
			}
		})
	}
}
