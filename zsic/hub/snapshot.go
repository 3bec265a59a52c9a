package hub

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Snapshot makes sure the files of repo at revision for which want(path) is
// true (all files when want is nil) are in the cache, and returns the
// snapshot folder …/snapshots/<commit>, which reads like a local copy of the
// repository. Offline, it uses only the cache and says what is missing.
func (c *Client) Snapshot(ctx context.Context, t RepoType, repo, revision string, want func(path string) bool) (string, error) {
	if err := checkArgs(t, repo, revision); err != nil {
		return "", err
	}
	if err := c.ready(); err != nil {
		return "", err
	}
	if want == nil {
		want = func(string) bool { return true }
	}
	if c.Offline {
		snap, files, err := c.offlineSnapshot(t, repo, revision)
		if err != nil {
			return "", err
		}
		if len(filter(files, want)) == 0 {
			return "", fmt.Errorf("offline mode (HF_HUB_OFFLINE=1): the cached snapshot %s of %s has none of the files needed (it holds %s): %w; run once online to download them",
				snap, describe(t, repo, revision), list(files), ErrNotCached)
		}
		return snap, nil
	}
	info, err := c.fetchInfo(ctx, t, repo, revision)
	if err != nil {
		return "", err
	}
	files := filter(info.files(), want)
	if len(files) == 0 {
		return "", fmt.Errorf("%s has none of the files needed (it holds %s)", describe(t, repo, revision), list(info.files()))
	}
	return c.fetchFiles(ctx, t, repo, revision, info.SHA, files)
}

// fetchFiles downloads files of repo at commit into the cache, records that
// revision points at commit, and returns the snapshot folder.
func (c *Client) fetchFiles(ctx context.Context, t RepoType, repo, revision, commit string, files []string) (string, error) {
	for _, f := range files {
		if err := c.fetchFile(ctx, t, repo, commit, f); err != nil {
			return "", err
		}
	}
	dir := c.repoDir(t, repo)
	if err := writeRef(dir, revision, commit); err != nil {
		return "", err
	}
	return filepath.Join(dir, "snapshots", commit), nil
}

// offlineSnapshot finds the cached snapshot of repo at revision and lists its
// files; a file whose blob is gone is an error.
func (c *Client) offlineSnapshot(t RepoType, repo, revision string) (string, []string, error) {
	what := describe(t, repo, revision)
	dir := c.repoDir(t, repo)
	commit, err := cachedCommit(dir, revision)
	if err != nil {
		return "", nil, fmt.Errorf("offline mode (HF_HUB_OFFLINE=1): %s is not in the cache %s (%w); run once online to download it", what, c.CacheDir, err)
	}
	snap := filepath.Join(dir, "snapshots", commit)
	if _, err := os.Stat(snap); err != nil {
		return "", nil, fmt.Errorf("offline mode (HF_HUB_OFFLINE=1): %s (commit %s) has no snapshot folder %s: %w; run once online to download it", what, commit, snap, ErrNotCached)
	}
	files, broken, err := snapshotFiles(snap)
	if err != nil {
		return "", nil, err
	}
	if len(broken) > 0 {
		return "", nil, fmt.Errorf("offline mode (HF_HUB_OFFLINE=1): in the snapshot %s of %s, the blobs of %s are missing: %w; run once online to download them again",
			snap, what, list(broken), ErrNotCached)
	}
	return snap, files, nil
}

// filter keeps the files for which want is true.
func filter(files []string, want func(string) bool) []string {
	var out []string
	for _, f := range files {
		if want(f) {
			out = append(out, f)
		}
	}
	return out
}

// list formats file names for a message, eliding past the tenth.
func list(files []string) string {
	if len(files) == 0 {
		return "no files"
	}
	if len(files) > 10 {
		return fmt.Sprintf("%s and %d more", strings.Join(files[:10], ", "), len(files)-10)
	}
	return strings.Join(files, ", ")
}
