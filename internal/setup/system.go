package setup

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
)

// Package groups: GroupTest is what `make test` needs and is always
// installed; GroupOptional is installed with it when setup can, and only
// named when it cannot (what needs it skips, saying so); GroupCross is what
// `make cross` needs.
const (
	GroupTest     = "test"
	GroupOptional = "optional"
	GroupCross    = "cross"
)

// SystemPackage is a system package this project needs.
type SystemPackage struct {
	Group  string // GroupTest or GroupCross
	Debian string // the Debian package name
	Why    string // what it is for, shown where it cannot be installed
}

// SystemPackages is the one list of system packages this project needs.
// Add a package here, with its group and purpose, when a feature needs one:
// setup installs it with apt-get where it can (Debian, as root) and names it
// elsewhere.
var systemPackages = []SystemPackage{
	{GroupTest, "libturbojpeg0", "decoding JPEG exactly as Pillow does (libjpeg-turbo's TurboJPEG, loaded at run time; see JPEGDecoder)"},
	{GroupCross, "gcc-mingw-w64-x86-64", "cross-compiling zsic.exe with cgo for windows/amd64"},
	{GroupCross, "wine64", "running zsic.exe in the Windows check"},
	{GroupCross, "gcc-aarch64-linux-gnu", "cross-compiling zsic with cgo for linux/arm64"},
	{GroupCross, "libstdc++6-arm64-cross", "the C++ runtime the arm64 libonnxruntime.so.1 needs under qemu"},
	{GroupCross, "qemu-user-static", "running the linux/arm64 build (qemu-aarch64-static)"},
	{GroupOptional, "chromium", "the browser test of the HTML reports (internal/htmlreport TestBrowser; it skips, saying so, without it)"},
}

// Packages returns the system packages of the given groups.
func Packages(groups ...string) []SystemPackage {
	var out []SystemPackage
	for _, p := range systemPackages {
		for _, g := range groups {
			if p.Group == g {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// SystemPackages installs the packages of groups with apt-get on Debian as
// root. Without apt-get it names them and goes on; with apt-get but without
// root it fails with the command to run.
func (s *Setup) SystemPackages(ctx context.Context, groups ...string) error {
	pkgs := Packages(groups...)
	if len(pkgs) == 0 {
		return nil
	}
	if runtime.GOOS != "linux" {
		s.logf("system packages: this project's are named for Debian; install the equivalents yourself:\n%s", describe(pkgs))
		return nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		s.logf("system packages: no apt-get here; install the equivalents of these Debian packages yourself:\n%s", describe(pkgs))
		return nil
	}
	var missing, required []string
	for _, p := range pkgs {
		if !installed(ctx, p.Debian) {
			missing = append(missing, p.Debian)
			if p.Group != GroupOptional {
				required = append(required, p.Debian)
			}
		}
	}
	if len(missing) == 0 {
		s.logf("system packages: %s (installed)", names(pkgs))
		return nil
	}
	if os.Geteuid() != 0 && len(required) == 0 {
		s.logf("system packages: optional %s not installed (not root); `sudo apt-get install -y %s` enables what needs them", strings.Join(missing, " "), strings.Join(missing, " "))
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("system packages missing: run `sudo apt-get update && sudo apt-get install -y %s`, then setup again", strings.Join(missing, " "))
	}
	s.logf("system packages: installing %s with apt-get", strings.Join(missing, " "))
	if err := s.apt(ctx, "update", "-qq"); err != nil {
		return err
	}
	return s.apt(ctx, append([]string{"install", "-y", "-qq", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600"}, missing...)...)
}

func (s *Setup) apt(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, "apt-get", args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("apt-get %s: %w\n%s", strings.Join(args, " "), err, lastLines(strings.TrimSpace(string(out)), 10))
	}
	return nil
}

// installed reports whether dpkg knows pkg as installed.
func installed(ctx context.Context, pkg string) bool {
	out, err := exec.CommandContext(ctx, "dpkg-query", "-W", "-f=${db:Status-Status}", pkg).Output()
	return err == nil && strings.TrimSpace(string(out)) == "installed"
}

func names(pkgs []SystemPackage) string {
	n := make([]string, len(pkgs))
	for i, p := range pkgs {
		n[i] = p.Debian
	}
	sort.Strings(n)
	return strings.Join(n, " ")
}

func describe(pkgs []SystemPackage) string {
	var b strings.Builder
	for _, p := range pkgs {
		fmt.Fprintf(&b, "  %s: %s\n", p.Debian, p.Why)
	}
	return strings.TrimRight(b.String(), "\n")
}
