package encoder

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	ort "github.com/yalue/onnxruntime_go"

	"github.com/zsic/zsic/internal/testenv"
)

// embedOne runs one image through the dynamic test graph on rt and checks
// the result, so that a runtime is shown to work, not just to exist.
func embedOne(t *testing.T, rt *Runtime) {
	t.Helper()
	e, err := OpenImage(rt, graph(t, "image_dynamic"), Options{Threads: 1})
	require.NoError(t, err)
	defer func() { require.NoError(t, e.Close()) }()
	pixels := ramp(3*4*4, 0.01)
	got, err := e.Embed(pixels, 1, 4, 4)
	require.NoError(t, err)
	requireClose(t, wantImage(pixels, 1, 4, 4), got, 1e-5)
}

func TestRuntimeHostInitializedFirst(t *testing.T) {
	require.False(t, ort.IsInitialized(), "a test left ONNX Runtime initialized")
	ort.SetSharedLibraryPath(testenv.ORTLibrary(t))
	require.NoError(t, ort.InitializeEnvironment())
	defer func() { require.NoError(t, ort.DestroyEnvironment()) }()

	// zsic borrows the host's environment...
	rt, err := NewRuntime(RuntimeOptions{})
	require.NoError(t, err)
	require.Empty(t, rt.Library())
	require.NotEmpty(t, rt.Version())
	embedOne(t, rt)
	// ...refuses a library it cannot check against the host's...
	_, err = NewRuntime(RuntimeOptions{Library: testenv.ORTLibrary(t)})
	var ce *ConflictError
	require.ErrorAs(t, err, &ce)
	require.ErrorContains(t, err, "the host program already initialized ONNX Runtime")
	// ...and leaves it to the host when closed.
	require.NoError(t, rt.Close())
	require.True(t, ort.IsInitialized(), "zsic destroyed the host's environment")
}

func TestRuntimeTwoModelsOneRuntime(t *testing.T) {
	rt, err := NewRuntime(RuntimeOptions{Library: testenv.ORTLibrary(t), Threads: 1})
	require.NoError(t, err)
	img, err := OpenImage(rt, graph(t, "image_dynamic"), Options{})
	require.NoError(t, err)
	txt, err := OpenText(rt, graph(t, "text_dynamic"), Options{})
	require.NoError(t, err)
	embedOne(t, rt)

	// A session still open keeps the runtime from closing.
	require.ErrorContains(t, rt.Close(), "2 session(s) still open")
	require.NoError(t, img.Close())
	require.NoError(t, txt.Close())
	require.NoError(t, rt.Close())
	require.NoError(t, rt.Close(), "a second Close is a no-op")
	require.False(t, ort.IsInitialized(), "the last Close keeps the environment")
	_, err = OpenImage(rt, graph(t, "image_dynamic"), Options{})
	require.ErrorContains(t, err, "runtime is closed")
}

func TestRuntimeCloseThenReopen(t *testing.T) {
	for range 2 {
		rt, err := NewRuntime(RuntimeOptions{Library: testenv.ORTLibrary(t)})
		require.NoError(t, err)
		embedOne(t, rt)
		require.NoError(t, rt.Close())
		require.False(t, ort.IsInitialized())
	}
}

func TestRuntimeConflictingLibraries(t *testing.T) {
	lib := testenv.ORTLibrary(t)
	rt, err := NewRuntime(RuntimeOptions{Library: lib})
	require.NoError(t, err)
	defer rt.Close()
	// The same library, or none, shares the environment.
	same, err := NewRuntime(RuntimeOptions{})
	require.NoError(t, err)
	require.Equal(t, lib, same.Library())
	require.NoError(t, same.Close())

	other := filepath.Join(t.TempDir(), "libonnxruntime.so")
	_, err = NewRuntime(RuntimeOptions{Library: other})
	var ce *ConflictError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, ConflictError{Want: other, Loaded: lib}, *ce)
	require.ErrorContains(t, err, "already initialized ONNX Runtime from "+lib)
}

func TestRuntimeErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.so")
	_, err := NewRuntime(RuntimeOptions{Library: missing})
	var le *LibraryError
	require.ErrorAs(t, err, &le)
	require.Equal(t, missing, le.Path)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.EqualError(t, err, "ONNX Runtime library "+missing+": no such file or directory")
	notLib := filepath.Join(t.TempDir(), "libonnxruntime.so")
	require.NoError(t, os.WriteFile(notLib, []byte("not a shared library"), 0o644))
	_, err = NewRuntime(RuntimeOptions{Library: notLib})
	require.ErrorAs(t, err, &le)
	require.ErrorContains(t, err, "ONNX Runtime library "+notLib+": ")
	require.False(t, ort.IsInitialized())
	_, err = NewRuntime(RuntimeOptions{Library: testenv.ORTLibrary(t), Device: "tpu"})
	var de *DeviceError
	require.ErrorAs(t, err, &de)
	require.False(t, ort.IsInitialized())
}
