package hub

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// ParquetBranch is the revision where the Hub keeps its parquet conversion
// of a dataset, as <config>/<split>/NNNN.parquet.
const ParquetBranch = "refs/convert/parquet"

// DatasetSplit returns the local paths of the parquet shards of split, in
// order. They are the dataset's own parquet files for that split, found as
// the datasets library finds them by default (data/<split>-00000-of-00001.parquet,
// a file or folder named for the split, …), else the Hub's parquet conversion
// (revision refs/convert/parquet, <config>/<split>/0000.parquet …). Split is
// "train", "validation", "test" or a split named by sharded file names; write
// it "<config>/<split>" to pick one config of several.
func (c *Client) DatasetSplit(ctx context.Context, repo, split, revision string) ([]string, error) {
	if err := checkArgs(RepoDataset, repo, revision); err != nil {
		return nil, err
	}
	if err := c.ready(); err != nil {
		return nil, err
	}
	config, name, err := parseSplit(split)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", repo, err)
	}
	if c.Offline {
		return c.offlineSplit(repo, config, name, revision)
	}
	info, err := c.fetchInfo(ctx, RepoDataset, repo, revision)
	if err != nil {
		return nil, err
	}
	if files := splitFiles(info.files(), config, name); len(files) > 0 {
		return c.fetchSplit(ctx, repo, revision, info.SHA, files)
	}
	conv, err := c.fetchInfo(ctx, RepoDataset, repo, ParquetBranch)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%s has no parquet files for split %q (it holds %s) and the Hub has no parquet conversion of it: %w",
			describe(RepoDataset, repo, revision), split, list(info.files()), ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	files, err := convertedFiles(conv.files(), config, name)
	if err != nil {
		return nil, fmt.Errorf("%s has no parquet files for split %q, and in its parquet conversion %w", describe(RepoDataset, repo, revision), split, err)
	}
	return c.fetchSplit(ctx, repo, ParquetBranch, conv.SHA, files)
}

// fetchSplit downloads files and returns their paths in the snapshot.
func (c *Client) fetchSplit(ctx context.Context, repo, revision, commit string, files []string) ([]string, error) {
	snap, err := c.fetchFiles(ctx, RepoDataset, repo, revision, commit, files)
	if err != nil {
		return nil, err
	}
	return inSnapshot(snap, files), nil
}

// offlineSplit is DatasetSplit from the cache alone.
func (c *Client) offlineSplit(repo, config, name, revision string) ([]string, error) {
	snap, files, err := c.offlineSnapshot(RepoDataset, repo, revision)
	if err == nil {
		if own := splitFiles(files, config, name); len(own) > 0 {
			return inSnapshot(snap, own), nil
		}
	}
	csnap, cfiles, cerr := c.offlineSnapshot(RepoDataset, repo, ParquetBranch)
	if cerr == nil {
		conv, cerr := convertedFiles(cfiles, config, name)
		if cerr == nil {
			return inSnapshot(csnap, conv), nil
		}
	}
	if err == nil {
		err = fmt.Errorf("offline mode (HF_HUB_OFFLINE=1): the cached snapshot %s has no parquet files of split %s: %w", snap, joinSplit(config, name), ErrNotCached)
	}
	return nil, fmt.Errorf("%w; nor is its parquet conversion cached (%w)", err, cerr)
}

// inSnapshot turns repository paths into paths under snap.
func inSnapshot(snap string, files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = filepath.Join(snap, filepath.FromSlash(f))
	}
	return out
}

// parseSplit splits "config/split" or "split".
func parseSplit(s string) (config, name string, err error) {
	config, name, ok := strings.Cut(s, "/")
	if !ok {
		config, name = "", s
	}
	if name == "" || strings.Contains(name, "/") || (ok && config == "") || !localPath(s) {
		return "", "", fmt.Errorf("split %q: want \"split\" or \"config/split\"", s)
	}
	return config, name, nil
}

func joinSplit(config, name string) string {
	if config == "" {
		return name
	}
	return config + "/" + name
}

// convertedFiles picks the shards of split from the Hub's parquet
// conversion: <config>/<split>/*.parquet, or <config>/partial-<split>/*.parquet
// for a dataset too big to convert whole.
func convertedFiles(files []string, config, name string) ([]string, error) {
	byConfig := map[string][]string{}
	for _, f := range files {
		parts := strings.Split(f, "/")
		if len(parts) != 3 || !strings.HasSuffix(f, ".parquet") || (config != "" && parts[0] != config) {
			continue
		}
		if parts[1] == name || parts[1] == "partial-"+name {
			byConfig[parts[0]] = append(byConfig[parts[0]], f)
		}
	}
	configs := make([]string, 0, len(byConfig))
	for k := range byConfig {
		configs = append(configs, k)
	}
	sort.Strings(configs)
	switch len(configs) {
	case 0:
		return nil, fmt.Errorf("split %s is missing (it holds %s)", joinSplit(config, name), list(files))
	case 1:
		out := byConfig[configs[0]]
		sort.Strings(out)
		return out, nil
	}
	return nil, fmt.Errorf("split %s is in several configs (%s): name one as <config>/%s", name, strings.Join(configs, ", "), name)
}
