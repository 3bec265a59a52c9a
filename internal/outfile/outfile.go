// Package outfile writes a command's output files as a careful Unix tool
// does: every output is checked before the run starts (its folder exists
// and is writable, it is not a folder, it is not one of the inputs nor
// another output), a regular file is written to a temporary file beside it
// and renamed over it only when complete (keeping the old file's mode, and
// writing through a symlink to the file it points to), and a character
// device or FIFO (/dev/null, /dev/stdout, a named pipe) is written to
// directly, never replaced. Several outputs commit together: all are
// written and synced before any is renamed into place, so that a failure
// leaves the old files, not half of a new run.
//
// Incremental writers (a resumable run) use CreatePartial: the output goes
// to a sidecar file named by PartialName beside the target, which survives
// an interruption so that the run can resume from it, and is renamed into
// place by Commit.
package outfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Named is a file a command reads or writes, with the flag that names it,
// for messages.
type Named struct {
	Flag string // e.g. "--output"
	Path string
}

// resolve follows symlinks at path to the file they lead to; a path that
// does not exist (or a dangling link's target) resolves to itself (its
// target). info is nil when the file does not exist.
func resolve(path string) (target string, info fs.FileInfo, err error) {
	target = path
	for range 40 {
		li, err := os.Lstat(target)
		if errors.Is(err, fs.ErrNotExist) {
			return target, nil, nil
		}
		if err != nil {
			return "", nil, err
		}
		if li.Mode()&fs.ModeSymlink == 0 {
			return target, li, nil
		}
		link, err := os.Readlink(target)
		if err != nil {
			return "", nil, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(target), link)
		}
		target = link
	}
	return "", nil, fmt.Errorf("%s: too many levels of symbolic links", path)
}

// kind says how an existing file is written: "" for a regular file
// (atomically), "through" for a character device or FIFO, or an error.
func kind(info fs.FileInfo) (string, error) {
	switch m := info.Mode(); {
	case m.IsRegular():
		return "", nil
	case m.IsDir():
		return "", errors.New("is a folder, want a file")
	case m&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		return "through", nil
	default:
		return "", fmt.Errorf("is a %s, not a regular file, character device or FIFO", m.Type())
	}
}

// Check reports, before a run starts, outputs that cannot be written or
// that would clobber an input or another output. Outputs and inputs with an
// empty Path are skipped. An input may be a folder (a dataset); an output
// inside it is allowed.
func Check(outputs, inputs []Named) error {
	var outs []Named
	for _, o := range outputs {
		if o.Path == "" {
			continue
		}
		if err := checkWritable(o.Path); err != nil {
			return fmt.Errorf("%s %s: %w", o.Flag, o.Path, err)
		}
		for _, in := range inputs {
			if in.Path != "" && Same(o.Path, in.Path) {
				return fmt.Errorf("%s %s is the same file as %s %s: the output would destroy the input; write the output elsewhere", o.Flag, o.Path, in.Flag, in.Path)
			}
		}
		for _, prev := range outs {
			if Same(o.Path, prev.Path) && !IsDevice(o.Path) {
				return fmt.Errorf("%s %s is the same file as %s %s: one output would overwrite the other; give each its own file", o.Flag, o.Path, prev.Flag, prev.Path)
			}
		}
		outs = append(outs, o)
	}
	return nil
}

// checkWritable reports an output path that cannot be written: a folder, a
// missing or read-only folder, an unsupported file type.
func checkWritable(path string) error {
	target, info, err := resolve(path)
	if err != nil {
		return err
	}
	if info != nil {
		k, err := kind(info)
		if err != nil {
			return err
		}
		if k == "through" {
			return nil
		}
	}
	dir := filepath.Dir(target)
	di, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("its folder: %w", err)
	}
	if !di.IsDir() {
		return fmt.Errorf("its folder %s is not a folder", dir)
	}
	// The file is written beside its target and renamed: probe that.
	f, name, err := createTemp(dir, filepath.Base(target), 0o600)
	if err != nil {
		return fmt.Errorf("cannot write in its folder %s: %w", dir, errors.Unwrap(err))
	}
	f.Close()
	os.Remove(name)
	return nil
}

// Same reports whether a and b name the same file: the same inode when
// both exist, else the same absolute, cleaned path once symlinks are
// resolved.
func Same(a, b string) bool {
	ta, ia, errA := resolve(a)
	tb, ib, errB := resolve(b)
	if errA != nil || errB != nil {
		return false
	}
	if ia != nil && ib != nil {
		return os.SameFile(ia, ib)
	}
	pa, errA := filepath.Abs(ta)
	pb, errB := filepath.Abs(tb)
	return errA == nil && errB == nil && pa == pb
}

// IsDevice reports whether path is (or links to) a character device or
// FIFO: written through, never replaced, so several outputs may share it
// (two outputs to /dev/null) and it has no PartialName sidecar.
func IsDevice(path string) bool {
	_, info, err := resolve(path)
	if err != nil || info == nil {
		return false
	}
	k, err := kind(info)
	return err == nil && k == "through"
}

// File is an output being written. Write to it, then Commit it (or
// CommitAll several) to put it in place, or Abort it.
type File struct {
	*os.File
	target  string      // the file replaced: the path, symlinks resolved
	through bool        // written directly (a device or FIFO)
	partial bool        // a PartialName sidecar, kept on Abort
	mode    fs.FileMode // the mode to give the new file
	done    bool
}

// Create starts writing the output path: a temporary file beside the file
// path leads to (for a regular or new file), or that file itself (for a
// character device or FIFO).
func Create(path string) (*File, error) {
	target, info, err := resolve(path)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	mode := fs.FileMode(0o666) // less the umask, applied by the kernel
	if info != nil {
		k, err := kind(info)
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		if k == "through" {
			f, err := os.OpenFile(target, os.O_WRONLY, 0)
			if err != nil {
				return nil, fmt.Errorf("write %s: %w", path, err)
			}
			return &File{File: f, target: target, through: true}, nil
		}
		mode = info.Mode().Perm()
	}
	f, _, err := createTemp(filepath.Dir(target), filepath.Base(target), mode)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if info != nil {
		// Keep the old file's mode exactly, whatever the umask.
		if err := f.Chmod(mode); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
	}
	return &File{File: f, target: target, mode: mode}, nil
}

// PartialName is the sidecar file an incremental writer of path fills: in
// the same folder as the file path leads to, named ".NAME.partial".
func PartialName(path string) (string, error) {
	target, _, err := resolve(path)
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".partial"), nil
}

// CreatePartial starts or resumes writing path through its PartialName
// sidecar: with resume the sidecar is opened for appending (and created if
// missing), else it is started empty. Commit renames it over path; Abort
// keeps it, so that an interrupted run can resume. A character device or
// FIFO cannot be written this way.
func CreatePartial(path string, resume bool) (*File, error) {
	target, info, err := resolve(path)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	mode := fs.FileMode(0o666)
	if info != nil {
		k, err := kind(info)
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		if k == "through" {
			return nil, fmt.Errorf("write %s: an incremental (resumable) output must be a regular file, not a %s", path, info.Mode().Type())
		}
		mode = info.Mode().Perm()
	}
	name := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".partial")
	flags := os.O_WRONLY | os.O_CREATE
	if resume {
		flags |= os.O_APPEND
	} else {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(name, flags, mode)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &File{File: f, target: target, partial: true, mode: mode}, nil
}

// createTemp creates a new file with a random name beside base in dir.
func createTemp(dir, base string, mode fs.FileMode) (*os.File, string, error) {
	for range 100 {
		var r [6]byte
		if _, err := rand.Read(r[:]); err != nil {
			return nil, "", err
		}
		name := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(r[:]))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		return f, name, nil
	}
	return nil, "", fmt.Errorf("create a temporary file in %s: too many collisions", dir)
}

// WriteFile writes data to the output path as Create and Commit do: the
// target changes only once all of data is written.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// Commit finishes f: a temporary file is synced, closed and renamed over
// its target; a device or FIFO is closed.
func (f *File) Commit() error { return CommitAll(f) }

// finish syncs and closes f.
func (f *File) finish() error {
	if f.through {
		return f.Close()
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Abort gives up f: a temporary file is closed and removed, leaving the
// target as it was; a PartialName sidecar is closed and kept for a
// resume. It is safe after Commit, and more than once.
func (f *File) Abort() {
	if f == nil || f.done {
		return
	}
	f.done = true
	f.Close()
	if !f.through && !f.partial {
		os.Remove(f.Name())
	}
}

// CommitAll finishes files together: it syncs and closes every one, and
// only when all succeeded renames each over its target; on any failure it
// aborts them all (removing temporary files) and leaves every target as it
// was. Nil files are skipped.
func CommitAll(files ...*File) error {
	var errs []error
	for _, f := range files {
		if f == nil || f.done {
			continue
		}
		if err := f.finish(); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", f.target, err))
		}
	}
	if len(errs) > 0 {
		for _, f := range files {
			f.Abort()
		}
		return errors.Join(errs...)
	}
	for _, f := range files {
		if f == nil || f.done {
			continue
		}
		f.done = true
		if f.through {
			continue
		}
		if err := os.Rename(f.Name(), f.target); err != nil {
			os.Remove(f.Name())
			errs = append(errs, fmt.Errorf("write %s: %w", f.target, err))
		}
	}
	return errors.Join(errs...)
}
