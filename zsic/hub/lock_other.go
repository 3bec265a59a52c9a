//go:build !unix && !windows

package hub

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// lockFile creates the lock file but, on this platform, does not lock it:
// concurrent runs on one cache are not serialised here.
func lockFile(ctx context.Context, path string, _ func()) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {}, ctx.Err()
}
