package dataset

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRefIsHub(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"uoft-cs/cifar100", true},
		{dir, false},                 // exists
		{"data/test.parquet", false}, // a file name, not an id
		{"./org/name", false},
		{"cifar100", false},
	} {
		require.Equal(t, tc.want, Ref{Path: tc.path}.IsHub(), tc.path)
	}
	// A path that is not a Hub id opens locally, and says what is missing.
	_, err := Resolve(context.Background(), Ref{Path: filepath.Join(dir, "none.parquet")}, DefaultColumns(), nil)
	require.ErrorContains(t, err, "none.parquet: no such file")
}
