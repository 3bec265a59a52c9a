package ortlib

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/ortdist"
)

func TestDefault(t *testing.T) {
	t.Setenv(EnvVar, "/opt/ort/libonnxruntime.so")
	require.Equal(t, "/opt/ort/libonnxruntime.so", Default())
	t.Setenv(EnvVar, "")
	require.Equal(t, ortdist.CachedLibrary(), Default())
}
