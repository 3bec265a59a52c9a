package hub

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLockFileExclusive checks the cache lock on this platform (flock on
// Unix, LockFileEx on Windows, where `make cross` runs it under Wine).
func TestLockFileExclusive(t *testing.T) {
	// Not t.TempDir: its cleanup uses os.RemoveAll, which under Wine 8.0
	// cannot delete (no POSIX-semantics delete); os.Remove can.
	root, err := os.MkdirTemp("", "zsic-lock-")
	require.NoError(t, err)
	path := filepath.Join(root, ".locks", "repo", "etag.lock")
	t.Cleanup(func() {
		for p := path; p != filepath.Dir(root); p = filepath.Dir(p) {
			require.NoError(t, os.Remove(p))
		}
	})
	unlock, err := lockFile(context.Background(), path, nil)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = lockFile(ctx, path, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded, "a second holder must wait for the first")
	require.ErrorContains(t, err, "lock "+path)

	got := make(chan error, 1)
	go func() {
		unlock2, err := lockFile(context.Background(), path, nil)
		if err == nil {
			unlock2()
		}
		got <- err
	}()
	time.Sleep(20 * time.Millisecond)
	unlock()
	select {
	case err := <-got:
		require.NoError(t, err, "the waiter gets the lock once it is released")
	case <-time.After(10 * time.Second):
		t.Fatal("the waiter never got the released lock")
	}
}
