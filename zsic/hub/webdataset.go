package hub

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zsic/zsic/internal/wds"
)

// WebDataset downloads split of a dataset repository in CLIP_benchmark's
// WebDataset layout (the clip-benchmark/wds_* repositories): classnames.txt
// and zeroshot_classification_templates.txt when present,
// <split>/nshards.txt, then the shards <split>/0.tar … in order, one file at
// a time, each resumed where an earlier attempt stopped. It returns the
// snapshot folder, which reads as a local copy of the layout. Offline, it
// uses the cache alone and names what is missing.
func (c *Client) WebDataset(ctx context.Context, repo, split, revision string) (string, error) {
	if err := checkArgs(RepoDataset, repo, revision); err != nil {
		return "", err
	}
	if err := c.ready(); err != nil {
		return "", err
	}
	if split == "" || strings.ContainsAny(split, `/\`) || !localPath(split) {
		return "", fmt.Errorf("dataset %s: split %q is not a folder name", repo, split)
	}
	what := describe(RepoDataset, repo, revision)
	nshardsFile := path.Join(split, wds.NShards)
	if c.Offline {
		snap, files, err := c.offlineSnapshot(RepoDataset, repo, revision)
		if err != nil {
			return "", err
		}
		n, err := wds.ReadNShards(filepath.Join(snap, filepath.FromSlash(nshardsFile)))
		if err != nil {
			return "", fmt.Errorf("offline mode (HF_HUB_OFFLINE=1): %s: %w: %w; run once online to download split %s", what, err, ErrNotCached, split)
		}
		var missing []string
		for _, f := range shardFiles(split, n) {
			if !slices.Contains(files, f) {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			return "", fmt.Errorf("offline mode (HF_HUB_OFFLINE=1): the cached snapshot %s of %s lacks %d of %d shards (%s): %w; run once online to download them",
				snap, what, len(missing), n, list(missing), ErrNotCached)
		}
		return snap, nil
	}
	info, err := c.fetchInfo(ctx, RepoDataset, repo, revision)
	if err != nil {
		return "", err
	}
	files := info.files()
	if !slices.Contains(files, nshardsFile) {
		var splits []string
		for _, f := range files {
			if d, b := path.Split(f); b == wds.NShards {
				splits = append(splits, strings.TrimSuffix(d, "/"))
			}
		}
		if len(splits) == 0 {
			return "", fmt.Errorf("%s is not in CLIP_benchmark's WebDataset layout: no <split>/%s (it holds %s)", what, wds.NShards, list(files))
		}
		return "", fmt.Errorf("%s has no split %q (no %s); its splits: %s", what, split, nshardsFile, strings.Join(splits, ", "))
	}
	dir := c.repoDir(RepoDataset, repo)
	snap := filepath.Join(dir, "snapshots", info.SHA)
	if err := c.fetchFile(ctx, RepoDataset, repo, info.SHA, nshardsFile); err != nil {
		return "", err
	}
	n, err := wds.ReadNShards(filepath.Join(snap, filepath.FromSlash(nshardsFile)))
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	want := shardFiles(split, n)
	var missing []string
	for _, f := range want {
		if !slices.Contains(files, f) {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("%s: %s says %d shards, but %d are not in the repository (%s)", what, nshardsFile, n, len(missing), list(missing))
	}
	for _, f := range []string{wds.ClassNames, wds.Templates} {
		if slices.Contains(files, f) {
			want = append([]string{f}, want...)
		}
	}
	return c.fetchFiles(ctx, RepoDataset, repo, revision, info.SHA, want)
}

// shardFiles lists the n shards of split.
func shardFiles(split string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = path.Join(split, wds.ShardName(i))
	}
	return out
}
