// Package ortdist describes the ONNX Runtime builds zsic installs: which
// files of the npm package onnxruntime-node hold the shared library for each
// platform, their pinned SHA-256, and where `make setup` caches them.
package ortdist

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/zsic/zsic/internal/cache"
)

// Version is the ONNX Runtime release `make setup` installs and the library
// looks for by default. 1.30.0 replaced 1.24.3 after a paired benchmark
// (scripts/ortcompare.sh) found it no slower and every golden held with
// 100% top-1 agreement; README's Platforms has the figures.
const Version = "1.30.0"

// Package is the npm package that carries ONNX Runtime's shared libraries.
const Package = "onnxruntime-node"

// File is one file of the npm package that a platform needs.
type File struct {
	Member string // path inside the package tarball
	SHA256 string // hex digest the extracted file must have
}

// Name returns the file's name in the cache folder: the member's base name.
func (f File) Name() string { return pathBase(f.Member) }

// Build is the ONNX Runtime of one release for one GOOS/GOARCH.
type Build struct {
	Version string
	GOOS    string
	GOARCH  string
	// Lib is the shared library itself; Extra are files it loads from its
	// own folder (DirectML.dll on Windows).
	Lib   File
	Extra []File
}

// Files returns the library followed by its extra files.
func (b Build) Files() []File { return append([]File{b.Lib}, b.Extra...) }

// Dir returns the cache folder that holds this build's files.
func (b Build) Dir() string { return Dir(b.Version, b.GOOS, b.GOARCH) }

// LibraryPath returns where the cached library lives.
func (b Build) LibraryPath() string { return filepath.Join(b.Dir(), b.Lib.Name()) }

// Platform returns "GOOS/GOARCH".
func (b Build) Platform() string { return b.GOOS + "/" + b.GOARCH }

const napi = "package/bin/napi-v6/"

// builds lists, per release, the pinned files for each platform that
// onnxruntime-node ships. The digests were taken from `npm pack
// onnxruntime-node@VERSION`; setup refuses any file that differs.
var builds = map[string]map[string]Build{
	"1.24.3": {
		"linux/amd64":  {Lib: File{napi + "linux/x64/libonnxruntime.so.1", "92ba8e44d31b80a34f5e805076a044122c3be1fffe0d88ed790de7267b0b2682"}},
		"linux/arm64":  {Lib: File{napi + "linux/arm64/libonnxruntime.so.1", "33032cb5b91c12edbf028d7c69fa40a31848d66c0095448758af237d5e0b07db"}},
		"darwin/arm64": {Lib: File{napi + "darwin/arm64/libonnxruntime.1.24.3.dylib", "76831409ce6eded92b4cb343cf422c458a60c1ea1d5f3cfa69692ab7fcc67f0f"}},
		"windows/amd64": {
			Lib:   File{napi + "win32/x64/onnxruntime.dll", "4bc168111012971ae1ffef36c1f29c06b026d17e9063bd17f6390359fbe32a84"},
			Extra: []File{{napi + "win32/x64/DirectML.dll", "aba1999d6f7af246fc032105a6498722eb4af8a70f04c7441b7608e17deec72f"}},
		},
		"windows/arm64": {
			Lib:   File{napi + "win32/arm64/onnxruntime.dll", "65dd5f706f8dd42ce96f6358ef3180c3c30f390022de00b75ada6f498ba4cce1"},
			Extra: []File{{napi + "win32/arm64/DirectML.dll", "0faa19e9cfa7cbbf2bb679ba5313d81ebbcd4c96d1c78200efd7752c7d01503e"}},
		},
	},
	"1.30.0": {
		"linux/amd64":  {Lib: File{napi + "linux/x64/libonnxruntime.so.1", "ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23"}},
		"linux/arm64":  {Lib: File{napi + "linux/arm64/libonnxruntime.so.1", "1f549d46250b005580b597f4164984aaf75b3bcb9f3aeb07c7f8a8fe60b23c76"}},
		"darwin/arm64": {Lib: File{napi + "darwin/arm64/libonnxruntime.1.dylib", "685d2be5dba1309c89d3a5324b7fd06a5c42f1a61bfea32d14c4cc28d072121d"}},
		"windows/amd64": {
			Lib:   File{napi + "win32/x64/onnxruntime.dll", "508c362f5673483dd3a086379c392795b2e42d10d5e6f3f90ebd7ac21c97af67"},
			Extra: []File{{napi + "win32/x64/DirectML.dll", "234e8898778cdec88d3cb0539508273494082812c968699f3de665a018971625"}},
		},
		"windows/arm64": {
			Lib:   File{napi + "win32/arm64/onnxruntime.dll", "6c3a2abf5c6aca11c48a0d338a91af309f2266f25ce2e4084e6a87bbcb0fbfd0"},
			Extra: []File{{napi + "win32/arm64/DirectML.dll", "aaf72a9d55aa123e0708d957d30dd4fbeb7a2e335ec6257ed5ff4261a402b9ee"}},
		},
	},
}

// Versions lists the releases with pinned files, oldest first.
func Versions() []string {
	vs := make([]string, 0, len(builds))
	for v := range builds {
		vs = append(vs, v)
	}
	sort.Strings(vs)
	return vs
}

// Lookup returns the pinned build of version for goos/goarch, or an error
// that names the platforms the package does have.
func Lookup(version, goos, goarch string) (Build, error) {
	byPlatform, ok := builds[version]
	if !ok {
		return Build{}, fmt.Errorf("no pinned ONNX Runtime %s (pinned: %s)", version, strings.Join(Versions(), ", "))
	}
	b, ok := byPlatform[goos+"/"+goarch]
	if !ok {
		platforms := make([]string, 0, len(byPlatform))
		for p := range byPlatform {
			platforms = append(platforms, p)
		}
		sort.Strings(platforms)
		return Build{}, fmt.Errorf("%s@%s has no ONNX Runtime build for %s/%s (it has %s)", Package, version, goos, goarch, strings.Join(platforms, ", "))
	}
	b.Version, b.GOOS, b.GOARCH = version, goos, goarch
	return b, nil
}

// Dir returns the cache folder of a release for one platform:
// <cache>/onnxruntime-<version>/<goos>_<goarch>.
func Dir(version, goos, goarch string) string {
	return filepath.Join(cache.Dir(), "onnxruntime-"+version, goos+"_"+goarch)
}

// LibraryName returns the file name of ONNX Runtime's shared library on goos
// for a build not in the table.
func LibraryName(goos string) string {
	switch goos {
	case "windows":
		return "onnxruntime.dll"
	case "darwin", "ios":
		return "libonnxruntime.dylib"
	}
	return "libonnxruntime.so"
}

// CachedLibrary returns where `make setup` puts the pinned library for the
// running platform. On a platform without a pinned build it returns the
// platform's usual library name in the release's cache folder, so that a
// message about the missing file still names a sensible path.
func CachedLibrary() string {
	if b, err := Lookup(Version, runtime.GOOS, runtime.GOARCH); err == nil {
		return b.LibraryPath()
	}
	return filepath.Join(Dir(Version, runtime.GOOS, runtime.GOARCH), LibraryName(runtime.GOOS))
}

func pathBase(member string) string {
	if i := strings.LastIndexByte(member, '/'); i >= 0 {
		return member[i+1:]
	}
	return member
}
