package dataset

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// fileSource is a dataset of image files listed in memory.
type fileSource struct {
	name    string // the folder or manifest, for errors
	classes []string
	items   []fileItem
	root    *os.Root // when set, files are opened through it (paths under rootDir)
	rootDir string
}

// fileItem is one image file and its label id (-1 for none).
type fileItem struct {
	path  string
	label int
}

// Classes returns the class names by label id.
func (s *fileSource) Classes() []string { return s.classes }

// Len returns the number of images.
func (s *fileSource) Len() int { return len(s.items) }

// Close releases the folder a list's paths are confined to; files are
// opened only while read.
func (s *fileSource) Close() error {
	if s.root == nil {
		return nil
	}
	err := s.root.Close()
	s.root = nil
	return err
}

// Read calls fn for each of rows, reading one file at a time.
func (s *fileSource) Read(rows []int, fn func(Sample) error) error {
	if err := checkRows(rows, len(s.items)); err != nil {
		return fmt.Errorf("read %s: %w", s.name, err)
	}
	for _, r := range rows {
		it := s.items[r]
		smp := Sample{Row: r, Path: it.path, Label: it.label}
		smp.Image, smp.Err = s.readImage(it.path)
		if smp.Err != nil {
			smp.Err = fmt.Errorf("read %s row %d: %w", s.name, r, smp.Err)
		}
		if err := fn(smp); err != nil {
			return err
		}
	}
	return nil
}

// MaxImageBytes bounds the size of one image file.
const MaxImageBytes = 1 << 30

// readImage reads an image file: a regular file (a FIFO or device would
// block or never end) of at most MaxImageBytes, through s.root when set.
func (s *fileSource) readImage(path string) (data []byte, err error) {
	stat, open := os.Stat, os.Open
	if s.root != nil {
		full := path
		defer func() {
			// Name the file as the list resolves it, not relative to the root.
			var pe *fs.PathError
			if errors.As(err, &pe) {
				pe.Op, pe.Path = "open", full
			}
		}()
		rel, err := filepath.Rel(s.rootDir, path)
		if err != nil {
			return nil, err
		}
		path = rel
		stat, open = s.root.Stat, s.root.Open
	}
	// Stat before opening: opening a FIFO blocks until a writer comes.
	info, err := stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, info.Mode().Type())
	}
	f, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info.Size() > MaxImageBytes {
		return nil, fmt.Errorf("%s: %d bytes, over the limit of %d for one image", path, info.Size(), MaxImageBytes)
	}
	return io.ReadAll(io.LimitReader(f, MaxImageBytes+1))
}
