package dataset

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/zsic/zsic/zsic/hub"
)

// Ref names a dataset: a local path, or a Hugging Face Hub dataset id with
// a split and a revision.
type Ref struct {
	// Path is a parquet file or folder, an image folder, a CSV/JSONL list,
	// or a Hub dataset id (org/name) when no such path exists.
	Path string
	// Split is the split of a Hub dataset, e.g. "test".
	Split string
	// Revision is the Hub revision; "" means "main".
	Revision string
}

// IsHub reports whether r names a Hub dataset rather than a local path: no
// such path exists, and Path has the form org/name without a file
// extension.
func (r Ref) IsHub() bool {
	if _, err := os.Stat(r.Path); err == nil {
		return false
	}
	return hub.IsRepoID(r.Path) && filepath.Ext(r.Path) == ""
}

// IsWebDatasetRepo reports whether a Hub dataset id is one of
// CLIP_benchmark's WebDataset repositories: clip-benchmark/..., or a name
// starting with wds_.
func IsWebDatasetRepo(id string) bool {
	org, name, _ := strings.Cut(id, "/")
	return org == "clip-benchmark" || strings.HasPrefix(name, "wds_")
}

// Resolve opens the dataset r names. A local folder in CLIP_benchmark's
// WebDataset layout opens with OpenWebDataset (split r.Split), any other
// local path with Open. A Hub id is fetched (or, offline, found) in the Hub
// cache of hc (hub.FromEnv() when nil): a WebDataset repository's split
// shard by shard, any other dataset's parquet split, opened with
// OpenParquet.
func Resolve(ctx context.Context, r Ref, cols Columns, hc *hub.Client, opts ...Option) (Source, error) {
	if !r.IsHub() {
		if IsWebDataset(r.Path) {
			return openWebDataset(r.Path, r.Split)
		}
		return Open(r.Path, cols, opts...)
	}
	if hc == nil {
		hc = hub.FromEnv()
	}
	rev := r.Revision
	if rev == "" {
		rev = "main"
	}
	if IsWebDatasetRepo(r.Path) {
		dir, err := hc.WebDataset(ctx, r.Path, r.Split, rev)
		if err != nil {
			return nil, err
		}
		return openWebDataset(dir, r.Split)
	}
	files, err := hc.DatasetSplit(ctx, r.Path, r.Split, rev)
	if err != nil {
		return nil, err
	}
	return OpenParquet(files, cols)
}

// openWebDataset is OpenWebDataset returning a nil Source on error.
func openWebDataset(dir, split string) (Source, error) {
	w, err := OpenWebDataset(dir, split)
	if err != nil {
		return nil, err
	}
	return w, nil
}
