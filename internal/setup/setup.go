// Package setup installs what zsic needs on a machine: the system packages
// its tests build against, ONNX Runtime's shared library from the npm
// package onnxruntime-node (checked against pinned SHA-256 digests and cached
// per user), the Go modules, and the shared data the tests read. It is the
// logic of `make setup` (cmd/zsic-setup), and runs on Linux, macOS and
// Windows. A second run finds everything in place and returns at once.
package setup

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/zsic/zsic/internal/ortdist"
)

// Setup holds what the steps share.
type Setup struct {
	// Root is the repository root.
	Root string
	// Log receives one line per step; nil discards them.
	Log io.Writer
	// NPM is the npm command; empty means "npm" on PATH.
	NPM string
	// Go is the go command; empty means "go" on PATH.
	Go string
}

// Options chooses what Run installs.
type Options struct {
	// Version is the ONNX Runtime release; empty means ortdist.Version.
	Version string
	// Groups are the system package groups to install besides GroupTest
	// and GroupOptional, e.g. GroupCross for `make cross`.
	Groups []string
}

// Run installs everything `make test` needs on this machine, plus the
// system packages of opt.Groups.
func (s *Setup) Run(ctx context.Context, opt Options) error {
	groups := append([]string{GroupTest, GroupOptional}, opt.Groups...)
	if err := s.SystemPackages(ctx, groups...); err != nil {
		return err
	}
	if err := s.JPEGDecoder(); err != nil {
		return err
	}
	if _, err := s.HostRuntime(ctx, opt.Version); err != nil {
		return err
	}
	if err := s.GoModules(ctx); err != nil {
		return err
	}
	if err := s.TokenizerData(); err != nil {
		return err
	}
	if err := s.CIFAR100(ctx); err != nil {
		return err
	}
	s.logf("done")
	return nil
}

// HostRuntime installs the ONNX Runtime library for the running platform,
// unless $ONNXRUNTIME_LIB names one, and returns the library's path.
func (s *Setup) HostRuntime(ctx context.Context, version string) (string, error) {
	if version == "" {
		version = ortdist.Version
	}
	if p := os.Getenv("ONNXRUNTIME_LIB"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("ONNXRUNTIME_LIB=%s: %w", p, err)
		}
		s.logf("ONNX Runtime: using ONNXRUNTIME_LIB=%s", p)
		return p, nil
	}
	b, err := ortdist.Lookup(version, runtime.GOOS, runtime.GOARCH)
	if err != nil {
		return "", fmt.Errorf("%w: set ONNXRUNTIME_LIB to an ONNX Runtime %s built for this platform", err, ortdist.LibraryName(runtime.GOOS))
	}
	return s.Runtime(ctx, b, b.Dir())
}

// GoModules downloads the modules go.mod lists.
func (s *Setup) GoModules(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, s.command(s.Go, "go"), "mod", "download")
	cmd.Dir = s.Root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go mod download: %w\n%s", err, strings.TrimSpace(string(out)))
	}
	s.logf("Go modules: downloaded")
	return nil
}

func (s *Setup) logf(format string, args ...any) {
	if s.Log != nil {
		fmt.Fprintf(s.Log, "setup: "+format+"\n", args...)
	}
}

func (s *Setup) command(name, def string) string {
	if name != "" {
		return name
	}
	return def
}
