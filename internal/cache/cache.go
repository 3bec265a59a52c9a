// Package cache locates zsic's per-user cache folder, where `make setup`
// puts the ONNX Runtime library and data it fetched, and the shared data
// folders the tests and tools read.
package cache

import (
	"fmt"
	"os"
	"path/filepath"
)

// Dir returns zsic's cache folder: zsic in os.UserCacheDir, that is
// $XDG_CACHE_HOME/zsic or ~/.cache/zsic on Linux, ~/Library/Caches/zsic on
// macOS and %LocalAppData%\zsic on Windows. It does not create the folder.
func Dir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "zsic")
	}
	return filepath.Join(os.TempDir(), "zsic-cache")
}

// DataDirs lists, in order of preference, the folders searched for shared
// data beside the repository at root: $ZSIC_DATA, root/../shared/data, and
// the cache's data folder.
func DataDirs(root string) []string {
	var dirs []string
	if d := os.Getenv("ZSIC_DATA"); d != "" {
		dirs = append(dirs, d)
	}
	return append(dirs, filepath.Join(root, "..", "shared", "data"), filepath.Join(Dir(), "data"))
}

// FindData returns the path of rel in the first of DataDirs(root) that has
// it, or an error that says where it looked and what to do.
func FindData(root, rel string) (string, error) {
	dirs := DataDirs(root)
	for _, d := range dirs {
		p := filepath.Join(d, rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("data file %s not found in %v: run `make setup`, or set ZSIC_DATA to the folder that holds it", rel, dirs)
}

// CIFAR100 returns the CIFAR-100 test parquet: $ZSIC_CIFAR100 if set, else
// cifar100/test.parquet found by FindData.
func CIFAR100(root string) (string, error) {
	if p := os.Getenv("ZSIC_CIFAR100"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("ZSIC_CIFAR100=%s: %w", p, err)
		}
		return p, nil
	}
	return FindData(root, filepath.Join("cifar100", "test.parquet"))
}
