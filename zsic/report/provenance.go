package report

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Provenance identifies what produced a run's numbers: the program, the
// runtime, the towers, the machine, the time and the data; the report's
// Prompts identify the class names and prompts. Two reports whose
// provenance and prompts differ only in time and duration come from the
// same inputs.
type Provenance struct {
	// Zsic is the program that ran.
	Zsic Build `json:"zsic"`
	// ONNXRuntime is the ONNX Runtime library's version, e.g. "1.24.3".
	ONNXRuntime string `json:"onnxruntime"`
	// Towers maps each role ("image-encoder", "text-encoder") to its file.
	Towers map[string]File `json:"towers"`
	// ExecutionProvider is the provider the sessions ran on, e.g. "CPU"
	// (the report's own execution_provider, kept here so that provenance
	// alone says where the numbers came from).
	ExecutionProvider string `json:"execution_provider"`
	// Threads is ONNX Runtime's intra-op thread count (0: its default).
	Threads int `json:"threads"`
	// Workers is the number of goroutines reading and preprocessing
	// images.
	Workers int `json:"workers"`
	// Streams is the number of image-tower runs in flight at once (0 in
	// reports written before it was recorded).
	Streams int `json:"streams,omitempty"`
	// CPU is the machine's processor.
	CPU CPU `json:"cpu"`
	// Start is when the run started, in RFC 3339 with nanoseconds, UTC.
	Start time.Time `json:"start"`
	// DurationS is the run's wall time from Start, in seconds.
	DurationS float64 `json:"duration_s"`
	// Dataset is the fingerprint of the rows read.
	Dataset Fingerprint `json:"dataset"`
}

// Build identifies a zsic build.
type Build struct {
	// Module is the main module's path, e.g. "github.com/zsic/zsic".
	Module string `json:"module"`
	// Version is the module's version, "(devel)" for a build from a
	// checkout.
	Version string `json:"version"`
	// Revision is the VCS revision the binary was built from, "" when the
	// build recorded none (go test, or go build with -buildvcs=false and
	// without make build's stamp).
	Revision string `json:"revision"`
	// Modified reports uncommitted changes in the checkout at build time.
	Modified bool `json:"modified"`
	// Go is the Go toolchain's version.
	Go string `json:"go"`
}

// File identifies a file by path and content.
type File struct {
	// Path is the file's path as opened.
	Path string `json:"path"`
	// SHA256 is the hex SHA-256 of its bytes.
	SHA256 string `json:"sha256"`
	// Size is its length in bytes.
	Size int64 `json:"size"`
}

// CPU describes the machine's processor.
type CPU struct {
	// Model is the processor's name (/proc/cpuinfo's "model name" on
	// Linux), or "" when unknown.
	Model string `json:"model"`
	// Cores is the number of logical CPUs the process can use.
	Cores int `json:"cores"`
	// Arch is GOOS/GOARCH, e.g. "linux/amd64".
	Arch string `json:"arch"`
}

// Strings identifies a list of strings (templates, class names): its
// length, the SHA-256 of the strings each followed by "\n" (the bytes of a
// --labels file holding them), and the strings themselves.
type Strings struct {
	// Count is the number of strings.
	Count int `json:"count"`
	// SHA256 is the hex SHA-256 of the strings, each followed by "\n".
	SHA256 string `json:"sha256"`
	// Values are the strings.
	Values []string `json:"values"`
}

// NewStrings identifies vs.
func NewStrings(vs []string) Strings {
	h := sha256.New()
	for _, v := range vs {
		io.WriteString(h, v)
		h.Write([]byte{'\n'})
	}
	if vs == nil {
		vs = []string{}
	}
	return Strings{Count: len(vs), SHA256: hex.EncodeToString(h.Sum(nil)), Values: vs}
}

// revision and modified are the VCS revision and state stamped by the
// linker (make build: -ldflags "-X ..."), for builds where the Go toolchain
// records none (a git worktree, GOFLAGS=-buildvcs=false).
var revision, modified string

// CurrentBuild returns the running binary's build: its module, version and
// VCS revision as recorded by the Go toolchain, else as stamped by make
// build.
func CurrentBuild() Build {
	b := Build{Go: runtime.Version(), Revision: revision, Modified: modified == "true"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Module, b.Version = info.Main.Path, info.Main.Version
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// CurrentCPU describes this machine's processor.
func CurrentCPU() CPU {
	return CPU{Model: cpuModel("/proc/cpuinfo"), Cores: runtime.NumCPU(), Arch: runtime.GOOS + "/" + runtime.GOARCH}
}

// cpuModel reads the first processor name from a cpuinfo file: "model
// name" on x86, else "Hardware", "Processor" or "cpu model"; "" when the
// file is absent or names none.
func cpuModel(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var fallback string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "model name":
			return v
		case "Hardware", "Processor", "cpu model", "uarch":
			if fallback == "" {
				fallback = v
			}
		}
	}
	return fallback
}

// HashFile identifies the file at path by its SHA-256 and size.
func HashFile(path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return File{}, fmt.Errorf("hash %s: %w", path, err)
	}
	return File{Path: path, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}
