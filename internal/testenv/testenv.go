// Package testenv finds the data and libraries that zsic's tests need, and
// fails a test with a message that says how to provide what is missing.
package testenv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zsic/zsic/internal/cache"
)

// Root returns the repository root: the nearest folder above the working
// directory that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// DataDirs lists, in order of preference, the folders searched for shared
// data: $ZSIC_DATA, ../shared/data beside the repository, and the cache.
func DataDirs(t testing.TB) []string {
	var dirs []string
	if d := os.Getenv("ZSIC_DATA"); d != "" {
		dirs = append(dirs, d)
	}
	dirs = append(dirs,
		filepath.Join(Root(t), "..", "shared", "data"),
		filepath.Join(cache.Dir(), "data"))
	return dirs
}

// DataFile returns the path of rel (e.g. "tokenizers/clip/vocab.json") in the
// first data folder that has it, or fails the test saying where it looked.
func DataFile(t testing.TB, rel string) string {
	t.Helper()
	dirs := DataDirs(t)
	for _, d := range dirs {
		p := filepath.Join(d, rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("test data %s not found in %v: run `make setup`, or set ZSIC_DATA to the folder that holds it", rel, dirs)
	return ""
}

// CIFAR100 returns the CIFAR-100 test parquet: $ZSIC_CIFAR100 if set, else
// cifar100/test.parquet in the data folders.
func CIFAR100(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("ZSIC_CIFAR100"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("ZSIC_CIFAR100=%s: %v", p, err)
		}
		return p
	}
	return DataFile(t, "cifar100/test.parquet")
}
