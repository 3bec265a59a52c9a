// Package ortlib finds the ONNX Runtime shared library zsic loads when its
// caller names none. It is the one place the library core asks; where setup
// puts the runtime on each platform is internal/ortdist's business.
package ortlib

import (
	"os"

	"github.com/zsic/zsic/internal/ortdist"
)

// Version is the ONNX Runtime release the project's setup installs.
const Version = ortdist.Version

// EnvVar names the environment variable that overrides the library path.
const EnvVar = "ONNXRUNTIME_LIB"

// Default returns the shared library to load: $ONNXRUNTIME_LIB when set,
// else the copy setup caches for this platform under the user cache folder
// (os.UserCacheDir()/zsic/...). It does not check that the file exists.
func Default() string {
	if p := os.Getenv(EnvVar); p != "" {
		return p
	}
	return ortdist.CachedLibrary()
}
