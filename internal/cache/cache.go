// Package cache locates zsic's per-user cache folder, where `make setup`
// puts the ONNX Runtime library and data it fetched.
package cache

import (
	"os"
	"path/filepath"
)

// Dir returns zsic's cache folder: $XDG_CACHE_HOME/zsic, else ~/.cache/zsic.
// It does not create the folder.
func Dir() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "zsic")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".cache", "zsic")
	}
	return filepath.Join(os.TempDir(), "zsic-cache")
}
