// Package encoder runs the two towers of a dual-encoder model, exported as
// ONNX files, with ONNX Runtime. It reads each tower's inputs and outputs from
// the graph, feeds the declared dtypes and batch shapes, and returns one
// embedding row per input.
package encoder

import (
	"fmt"
	"os"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/zsic/zsic/internal/ortdist"
)

// ORTVersion is the ONNX Runtime release `make setup` installs.
const ORTVersion = ortdist.Version

// The ONNX Runtime environment is process-wide: it is created once, with the
// library the first caller asks for, and lives until the process exits.
var env struct {
	once sync.Once
	lib  string
	err  error
}

// DefaultLibrary returns the ONNX Runtime shared library zsic uses:
// $ONNXRUNTIME_LIB when set, else the copy `make setup` put in the cache for
// this platform (onnxruntime.dll on Windows, a .dylib on macOS).
func DefaultLibrary() string {
	if p := os.Getenv("ONNXRUNTIME_LIB"); p != "" {
		return p
	}
	return ortdist.CachedLibrary()
}

// initialize creates the ONNX Runtime environment from lib (DefaultLibrary
// when empty). Later calls must name the same library.
func initialize(lib string) error {
	if lib == "" {
		lib = DefaultLibrary()
	}
	env.once.Do(func() {
		env.lib = lib
		if _, err := os.Stat(lib); err != nil {
			env.err = fmt.Errorf("ONNX Runtime library %s: %w (run `make setup`, or set ONNXRUNTIME_LIB to an ONNX Runtime shared library)", lib, err)
			return
		}
		ort.SetSharedLibraryPath(lib)
		if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
			env.err = fmt.Errorf("initialize ONNX Runtime from %s: %w", lib, err)
		}
	})
	if env.err != nil {
		return env.err
	}
	if lib != env.lib {
		return fmt.Errorf("ONNX Runtime already initialized from %s; cannot switch to %s in one process", env.lib, lib)
	}
	return nil
}

// Version initializes ONNX Runtime from lib (DefaultLibrary when empty) and
// returns the library's version.
func Version(lib string) (string, error) {
	if err := initialize(lib); err != nil {
		return "", err
	}
	return ort.GetVersion(), nil
}
