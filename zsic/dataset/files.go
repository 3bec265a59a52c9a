package dataset

import (
	"fmt"
	"os"
)

// fileSource is a dataset of image files listed in memory.
type fileSource struct {
	name    string // the folder or manifest, for errors
	classes []string
	items   []fileItem
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

// Close does nothing: files are opened only while read.
func (s *fileSource) Close() error { return nil }

// Read calls fn for each of rows, reading one file at a time.
func (s *fileSource) Read(rows []int, fn func(Sample) error) error {
	if err := checkRows(rows, len(s.items)); err != nil {
		return fmt.Errorf("read %s: %w", s.name, err)
	}
	for _, r := range rows {
		it := s.items[r]
		img, err := os.ReadFile(it.path)
		if err != nil {
			return fmt.Errorf("read %s row %d: %w", s.name, r, err)
		}
		if err := fn(Sample{Row: r, Image: img, Path: it.path, Label: it.label}); err != nil {
			return err
		}
	}
	return nil
}
