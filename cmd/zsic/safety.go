package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/zsic/zsic/internal/outfile"
)

// usageError is a command-line mistake found after parsing (a value out of
// range, flags that conflict): printed, exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef makes a usageError.
func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// intRange reports a numeric flag outside [lo, hi].
func intRange(flag string, v, lo, hi int, what string) error {
	if v < lo || v > hi {
		return usagef("%s %d: want %d to %d (%s)", flag, v, lo, hi, what)
	}
	return nil
}

// interrupted is the cause of a context cancelled by a signal.
type interrupted struct{ sig os.Signal }

func (i interrupted) Error() string { return "interrupted by " + sigName(i.sig) }

// sigName names a signal as the shell does.
func sigName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// exitCode is the shell's status for a process ended by s: 128 + its number.
func exitCode(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 130
}

// isInterrupt returns the signal that cancelled ctx, if one did.
func isInterrupt(ctx context.Context) (os.Signal, bool) {
	var i interrupted
	if errors.As(context.Cause(ctx), &i) {
		return i.sig, true
	}
	return nil, false
}

// outputs tracks the output files a command is writing, so that a forced
// exit on a signal removes their temporary files, and the partial
// predictions it keeps on purpose, so that the message on a signal names
// them.
var outputs struct {
	mu    sync.Mutex
	files []*outfile.File
	kept  []string // partial predictions that --resume continues
}

// keepPartial records a partial predictions file that an interrupted run
// leaves for --resume.
func keepPartial(path string) {
	outputs.mu.Lock()
	outputs.kept = append(outputs.kept, path)
	outputs.mu.Unlock()
}

// forgetPartials forgets the partial files of an earlier command run in
// this process (tests run many).
func forgetPartials() {
	outputs.mu.Lock()
	outputs.kept = nil
	outputs.mu.Unlock()
}

// interruptMessage is what a command stopped by sig says: that no output
// was written, and where the predictions made so far are kept, if any
// partial file is still there.
func interruptMessage(cmd string, sig os.Signal) string {
	msg := fmt.Sprintf("%s: interrupted (%s); no output was written", cmd, sigName(sig))
	outputs.mu.Lock()
	defer outputs.mu.Unlock()
	for _, p := range outputs.kept {
		if _, err := os.Stat(p); err == nil {
			msg += fmt.Sprintf("; the predictions made so far are kept in %s (run again with --resume to continue)", p)
		}
	}
	return msg
}

// createOutput starts writing path (see outfile.Create) and tracks it.
func createOutput(path string) (*outfile.File, error) {
	f, err := outfile.Create(path)
	if err != nil {
		return nil, err
	}
	outputs.mu.Lock()
	outputs.files = append(outputs.files, f)
	outputs.mu.Unlock()
	return f, nil
}

// abortOutputs removes the temporary files of the outputs being written.
func abortOutputs() {
	outputs.mu.Lock()
	defer outputs.mu.Unlock()
	for _, f := range outputs.files {
		f.Abort()
	}
	outputs.files = nil
}

// writeOutputs writes each non-empty path through its fill function and
// commits them together (outfile.CommitAll): either every output is in
// place, or none changed. A signal before the commit aborts them all.
func writeOutputs(ctx context.Context, paths []string, fills []func(io.Writer) error) error {
	files := make([]*outfile.File, len(paths))
	defer func() {
		for _, f := range files {
			f.Abort()
		}
	}()
	for i, p := range paths {
		if p == "" {
			continue
		}
		f, err := createOutput(p)
		if err != nil {
			return err
		}
		files[i] = f
		if err := fills[i](f); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	if err := context.Cause(ctx); ctx.Err() != nil {
		return err
	}
	return outfile.CommitAll(files...)
}

// checkFetchTo reports a --to path that fetch would have to delete: only a
// missing path or a symlink (which fetch replaces) may be given.
func checkFetchTo(to string) error {
	if to == "" {
		return nil
	}
	info, err := os.Lstat(to)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return usagef("--to %s: %v", to, err)
	case info.Mode()&os.ModeSymlink != 0:
		return nil
	case info.IsDir():
		return usagef("--to %s exists and is a folder: fetch links the download there and replaces only a symlink; remove it yourself or choose another path", to)
	}
	return usagef("--to %s exists (%s): fetch links the download there and replaces only a symlink; remove it yourself or choose another path", to, info.Mode().Type())
}

// linkTo points the symlink to at target, replacing an old symlink
// atomically.
func linkTo(target, to string) error {
	if err := checkFetchTo(to); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(to), "."+filepath.Base(to)+".tmp-link")
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, to); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
