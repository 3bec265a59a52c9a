package ortdist

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLookup(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/x/cache")
	for _, v := range Versions() {
		for _, p := range []string{"linux/amd64", "linux/arm64", "darwin/arm64", "windows/amd64", "windows/arm64"} {
			goos, goarch, _ := strings.Cut(p, "/")
			b, err := Lookup(v, goos, goarch)
			require.NoError(t, err, p)
			require.Equal(t, p, b.Platform())
			for _, f := range b.Files() {
				require.Len(t, f.SHA256, 64, f.Member)
				require.True(t, strings.HasPrefix(f.Member, "package/bin/napi-v6/"), f.Member)
			}
			if goos == "windows" {
				require.Equal(t, "onnxruntime.dll", b.Lib.Name())
				require.Equal(t, []string{"DirectML.dll"}, []string{b.Extra[0].Name()}, "DirectML.dll goes beside onnxruntime.dll")
			} else {
				require.Empty(t, b.Extra)
			}
		}
	}
	b, err := Lookup(Version, "linux", "amd64")
	require.NoError(t, err)
	if runtime.GOOS == "linux" {
		require.Equal(t, filepath.Join("/x/cache/zsic/onnxruntime-"+Version, "linux_amd64", "libonnxruntime.so.1"), b.LibraryPath())
	}
	_, err = Lookup("0.1", "linux", "amd64")
	require.ErrorContains(t, err, "no pinned ONNX Runtime 0.1 (pinned: "+strings.Join(Versions(), ", ")+")")
}

func TestCachedLibrary(t *testing.T) {
	if b, err := Lookup(Version, runtime.GOOS, runtime.GOARCH); err == nil {
		require.Equal(t, b.LibraryPath(), CachedLibrary())
	} else {
		require.Equal(t, LibraryName(runtime.GOOS), filepath.Base(CachedLibrary()))
	}
}
