package setup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/zsic/zsic/internal/ortdist"
)

// ErrNoNPM is returned (wrapped) when the npm client is not on PATH.
var ErrNoNPM = errors.New("npm not found")

// Runtime installs build b into dir: it fetches onnxruntime-node@b.Version
// with `npm pack`, extracts b's files, checks each against its pinned
// SHA-256 and moves it into place. Files already in dir with the right
// digest are kept, and npm is not run when all of them are. It returns the
// library's path.
func (s *Setup) Runtime(ctx context.Context, b ortdist.Build, dir string) (string, error) {
	lib := filepath.Join(dir, b.Lib.Name())
	name := fmt.Sprintf("ONNX Runtime %s for %s", b.Version, b.Platform())
	var missing []ortdist.File
	for _, f := range b.Files() {
		if sum, err := fileSHA256(filepath.Join(dir, f.Name())); err != nil || sum != f.SHA256 {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		s.logf("%s: %s (cached)", name, lib)
		return lib, nil
	}
	spec := ortdist.Package + "@" + b.Version
	npm, err := exec.LookPath(s.command(s.NPM, "npm"))
	if err != nil {
		return "", fmt.Errorf("%s: %w: npm fetches %s (install Node.js, which includes npm), or set ONNXRUNTIME_LIB to an ONNX Runtime library you have, such as a build with the QNN, OpenVINO or CUDA execution provider", name, ErrNoNPM, spec)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	tmp, err := os.MkdirTemp(dir, ".npm-pack-")
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	defer os.RemoveAll(tmp)
	s.logf("%s: fetching %s with npm pack", name, spec)
	tgz, err := npmPack(ctx, npm, spec, tmp)
	if err != nil {
		return "", fmt.Errorf("%s: %w (offline? set ONNXRUNTIME_LIB to an ONNX Runtime library you have)", name, err)
	}
	if err := extract(tgz, missing, dir); err != nil {
		return "", fmt.Errorf("%s: %s: %w", name, spec, err)
	}
	s.logf("%s: installed %s (SHA-256 verified)", name, lib)
	return lib, nil
}

// npmPack runs `npm pack spec` in dir and returns the tarball's path.
func npmPack(ctx context.Context, npm, spec, dir string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, npm, "pack", "--silent", spec)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			msg = ": " + lastLines(msg, 5)
		}
		return "", fmt.Errorf("npm pack %s failed: %w%s", spec, err, msg)
	}
	// npm prints the tarball's name last.
	lines := strings.Fields(stdout.String())
	if len(lines) > 0 {
		p := filepath.Join(dir, filepath.Base(lines[len(lines)-1]))
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	found, _ := filepath.Glob(filepath.Join(dir, "*.tgz"))
	if len(found) == 1 {
		return found[0], nil
	}
	return "", fmt.Errorf("npm pack %s wrote no tarball to %s (it printed %q)", spec, dir, strings.TrimSpace(stdout.String()))
}

// extract copies the members want of the gzipped tarball tgz into dir,
// each under its base name, verifying each digest before the file appears.
func extract(tgz string, want []ortdist.File, dir string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", filepath.Base(tgz), err)
	}
	byMember := map[string]ortdist.File{}
	for _, w := range want {
		byMember[w.Member] = w
	}
	tr := tar.NewReader(zr)
	for len(byMember) > 0 {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", filepath.Base(tgz), err)
		}
		w, ok := byMember[h.Name]
		if !ok || h.Typeflag != tar.TypeReg {
			continue
		}
		if err := install(tr, w, dir); err != nil {
			return err
		}
		delete(byMember, h.Name)
	}
	for _, w := range want {
		if _, ok := byMember[w.Member]; ok {
			return fmt.Errorf("the package has no %s", w.Member)
		}
	}
	return nil
}

// install writes r to dir/<w's name> through a temporary file, and keeps it
// only if its SHA-256 is w.SHA256.
func install(r io.Reader, w ortdist.File, dir string) error {
	tmp, err := os.CreateTemp(dir, "."+w.Name()+".part-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("extract %s: %w", w.Member, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != w.SHA256 {
		return fmt.Errorf("%s has SHA-256 %s, want %s (the pinned digest): refusing it", w.Member, got, w.SHA256)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	dst := filepath.Join(dir, w.Name())
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("install %s: %w", dst, err)
	}
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
