package zsic

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
)

// openTinyCLIP opens the tiny CLIP fixture on its own runtime, both closed
// when the test ends.
func openTinyCLIP(t *testing.T) *Classifier {
	t.Helper()
	m, err := LoadModel(filepath.Join(testenv.Root(t), "fixtures", "models", "tiny-clip"), nil, "")
	require.NoError(t, err)
	rt, err := NewRuntime(RuntimeOptions{Library: testenv.ORTLibrary(t), Threads: 1})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, rt.Close()) })
	c, err := Open(rt, m, Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close()) })
	return c
}
