package setup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/ortdist"
)

// The test binary doubles as a fake npm: copied onto PATH as npm, it runs
// fakeNPM instead of the tests.
const (
	fakeNPMEnv = "ZSIC_SETUP_FAKE_NPM_TGZ" // tarball `npm pack` "downloads"
	fakeLogEnv = "ZSIC_SETUP_FAKE_NPM_LOG" // file that records each call
)

func TestMain(m *testing.M) {
	if tgz := os.Getenv(fakeNPMEnv); tgz != "" {
		os.Exit(fakeNPM(tgz))
	}
	os.Exit(m.Run())
}

// fakeNPM behaves as `npm pack --silent onnxruntime-node@VERSION`: it copies
// tgz into the working directory as onnxruntime-node-VERSION.tgz and prints
// that name.
func fakeNPM(tgz string) int {
	args := os.Args[1:]
	if f, err := os.OpenFile(os.Getenv(fakeLogEnv), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintln(f, strings.Join(args, " "))
		f.Close()
	}
	if len(args) != 3 || args[0] != "pack" || args[1] != "--silent" {
		fmt.Fprintf(os.Stderr, "fake npm: unexpected arguments %q\n", args)
		return 1
	}
	_, version, ok := strings.Cut(args[2], "@")
	if !ok {
		fmt.Fprintf(os.Stderr, "npm error 404 Not Found - %s\n", args[2])
		return 1
	}
	data, err := os.ReadFile(tgz)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	name := "onnxruntime-node-" + version + ".tgz"
	if err := os.WriteFile(name, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(name)
	return 0
}

// fakePackage writes a tarball holding every member of every pinned
// platform of version, each with its member path as content, and returns it.
func fakePackage(t *testing.T, version string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, p := range platforms {
		b, err := ortdist.Lookup(version, p[0], p[1])
		require.NoError(t, err)
		for _, f := range b.Files() {
			require.NoError(t, tw.WriteHeader(&tar.Header{Name: f.Member, Mode: 0o644, Size: int64(len(f.Member)), Typeflag: tar.TypeReg}))
			_, err := io.WriteString(tw, f.Member)
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())
	p := filepath.Join(t.TempDir(), "package.tgz")
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o644))
	return p
}

// fakeBuild is the pinned build of version for goos/goarch, with digests
// of fakePackage's contents.
func fakeBuild(t *testing.T, version, goos, goarch string) ortdist.Build {
	t.Helper()
	b, err := ortdist.Lookup(version, goos, goarch)
	require.NoError(t, err)
	b.Lib.SHA256 = digest(b.Lib.Member)
	for i := range b.Extra {
		b.Extra[i].SHA256 = digest(b.Extra[i].Member)
	}
	return b
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// withFakeNPM puts the fake npm, serving tgz, on PATH alone and returns the
// file its calls are logged in.
func withFakeNPM(t *testing.T, tgz string) (log string) {
	t.Helper()
	self, err := os.Executable()
	require.NoError(t, err)
	bin := t.TempDir()
	name := "npm"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	data, err := os.ReadFile(self)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(bin, name), data, 0o755))
	log = filepath.Join(t.TempDir(), "npm.log")
	t.Setenv("PATH", bin)
	t.Setenv(fakeNPMEnv, tgz)
	t.Setenv(fakeLogEnv, log)
	return log
}

func calls(t *testing.T, log string) []string {
	data, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

var platforms = [][2]string{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "arm64"}, {"windows", "amd64"}, {"windows", "arm64"}}

func TestRuntimeMemberPerPlatform(t *testing.T) {
	tgz := fakePackage(t, ortdist.Version)
	withFakeNPM(t, tgz)
	want := map[string][]string{
		"linux/amd64":   {"linux/x64/libonnxruntime.so.1"},
		"linux/arm64":   {"linux/arm64/libonnxruntime.so.1"},
		"darwin/arm64":  {"darwin/arm64/libonnxruntime.1.dylib"},
		"windows/amd64": {"win32/x64/onnxruntime.dll", "win32/x64/DirectML.dll"},
		"windows/arm64": {"win32/arm64/onnxruntime.dll", "win32/arm64/DirectML.dll"},
	}
	for _, p := range platforms {
		platform := p[0] + "/" + p[1]
		t.Run(platform, func(t *testing.T) {
			dir := t.TempDir()
			b := fakeBuild(t, ortdist.Version, p[0], p[1])
			s := &Setup{}
			lib, err := s.Runtime(context.Background(), b, dir)
			require.NoError(t, err)
			members := want[platform]
			require.Equal(t, filepath.Join(dir, filepath.Base(members[0])), lib)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			var names []string
			for _, m := range members {
				names = append(names, filepath.Base(m))
				data, err := os.ReadFile(filepath.Join(dir, filepath.Base(m)))
				require.NoError(t, err)
				require.Equal(t, "package/bin/napi-v6/"+m, string(data), "the file must come from this platform's folder")
			}
			require.ElementsMatch(t, names, got, "only this platform's files, no leftovers")
		})
	}
}

func TestRuntimeChecksumMismatch(t *testing.T) {
	log := withFakeNPM(t, fakePackage(t, ortdist.Version))
	b := fakeBuild(t, ortdist.Version, "windows", "amd64")
	b.Extra[0].SHA256 = digest("something else")
	dir := t.TempDir()
	_, err := (&Setup{}).Runtime(context.Background(), b, dir)
	require.ErrorContains(t, err, "package/bin/napi-v6/win32/x64/DirectML.dll has SHA-256 "+digest(b.Extra[0].Member)+", want "+digest("something else"))
	require.ErrorContains(t, err, "refusing it")
	require.FileExists(t, filepath.Join(dir, "onnxruntime.dll"), "the library itself matched")
	require.NoFileExists(t, filepath.Join(dir, "DirectML.dll"))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no partial files left behind")
	require.Len(t, calls(t, log), 1)

	// A cached file that no longer matches its digest is fetched again.
	b = fakeBuild(t, ortdist.Version, "linux", "amd64")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "libonnxruntime.so.1"), []byte("corrupt"), 0o644))
	lib, err := (&Setup{}).Runtime(context.Background(), b, dir)
	require.NoError(t, err)
	data, err := os.ReadFile(lib)
	require.NoError(t, err)
	require.Equal(t, b.Lib.Member, string(data))
	require.Len(t, calls(t, log), 2)
}

func TestRuntimeMissingNPM(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	b := fakeBuild(t, ortdist.Version, "linux", "amd64")
	_, err := (&Setup{}).Runtime(context.Background(), b, t.TempDir())
	require.ErrorIs(t, err, ErrNoNPM)
	require.ErrorContains(t, err, "npm fetches onnxruntime-node@"+ortdist.Version+" (install Node.js, which includes npm)")
	require.ErrorContains(t, err, "or set ONNXRUNTIME_LIB")
}

func TestRuntimeCachedRerun(t *testing.T) {
	log := withFakeNPM(t, fakePackage(t, ortdist.Version))
	b := fakeBuild(t, ortdist.Version, "windows", "amd64")
	dir := t.TempDir()
	var out bytes.Buffer
	s := &Setup{Log: &out}
	first, err := s.Runtime(context.Background(), b, dir)
	require.NoError(t, err)
	require.Contains(t, out.String(), "installed "+first+" (SHA-256 verified)")
	out.Reset()
	second, err := s.Runtime(context.Background(), b, dir)
	require.NoError(t, err)
	require.Equal(t, first, second)
	require.Contains(t, out.String(), first+" (cached)")
	require.Equal(t, []string{"pack --silent onnxruntime-node@" + ortdist.Version}, calls(t, log), "npm runs once")

	// Losing DirectML.dll alone fetches the package again.
	require.NoError(t, os.Remove(filepath.Join(dir, "DirectML.dll")))
	_, err = s.Runtime(context.Background(), b, dir)
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(dir, "DirectML.dll"))
	require.Len(t, calls(t, log), 2)
}

func TestRuntimeMissingMember(t *testing.T) {
	withFakeNPM(t, fakePackage(t, ortdist.Version))
	b := fakeBuild(t, ortdist.Version, "linux", "amd64")
	b.Lib.Member = "package/bin/napi-v6/linux/riscv64/libonnxruntime.so.1"
	_, err := (&Setup{}).Runtime(context.Background(), b, t.TempDir())
	require.ErrorContains(t, err, "onnxruntime-node@"+ortdist.Version+": the package has no package/bin/napi-v6/linux/riscv64/libonnxruntime.so.1")
}

func TestRuntimeNPMFails(t *testing.T) {
	withFakeNPM(t, filepath.Join(t.TempDir(), "absent.tgz"))
	b := fakeBuild(t, ortdist.Version, "linux", "amd64")
	_, err := (&Setup{}).Runtime(context.Background(), b, t.TempDir())
	require.ErrorContains(t, err, "npm pack onnxruntime-node@"+ortdist.Version+" failed")
	require.ErrorContains(t, err, "absent.tgz")
	require.ErrorContains(t, err, "offline? set ONNXRUNTIME_LIB")
}

func TestHostRuntimeUnpinnedPlatform(t *testing.T) {
	_, err := ortdist.Lookup(ortdist.Version, "freebsd", "riscv64")
	require.ErrorContains(t, err, "onnxruntime-node@"+ortdist.Version+" has no ONNX Runtime build for freebsd/riscv64 (it has darwin/arm64, linux/amd64, linux/arm64, windows/amd64, windows/arm64)")
}

func TestHostRuntimeFromEnv(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "libonnxruntime_qnn.so")
	require.NoError(t, os.WriteFile(lib, nil, 0o644))
	t.Setenv("ONNXRUNTIME_LIB", lib)
	t.Setenv("PATH", t.TempDir()) // no npm: it must not be needed
	got, err := (&Setup{}).HostRuntime(context.Background(), "")
	require.NoError(t, err)
	require.Equal(t, lib, got)

	t.Setenv("ONNXRUNTIME_LIB", lib+".missing")
	_, err = (&Setup{}).HostRuntime(context.Background(), "")
	require.ErrorContains(t, err, "ONNXRUNTIME_LIB="+lib+".missing")
}

func TestSystemPackagesWithoutApt(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var out bytes.Buffer
	require.NoError(t, (&Setup{Log: &out}).SystemPackages(context.Background(), GroupCross))
	for _, p := range Packages(GroupCross) {
		require.Contains(t, out.String(), p.Debian+": "+p.Why)
	}
	require.Empty(t, Packages("no such group"))
}
