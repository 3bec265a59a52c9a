// Package dataset reads labelled images for zero-shot evaluation: Hugging
// Face-layout parquet files (one file or a folder of shards), ImageFolder
// trees, CSV/JSONL manifests, and pinned samples identified by pixel hashes.
package dataset

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Columns maps the pipeline's inputs to dataset columns.
type Columns struct {
	// Image is the column holding encoded images: a struct {bytes, path}
	// (the Hugging Face Image feature) or raw bytes.
	Image string
	// Label is the integer label column; "" reads no labels (Label -1).
	Label string
}

// DefaultColumns returns the columns of Hugging Face's CIFAR-100 layout:
// "img" and "fine_label".
func DefaultColumns() Columns {
	return Columns{Image: "img", Label: "fine_label"}
}

// Sample is one row of a dataset.
type Sample struct {
	// Row is the row index in the whole dataset.
	Row int
	// Image holds the encoded image bytes (PNG, JPEG, ...).
	Image []byte
	// Path is the image's path: the file for folders and manifests, the
	// stored path (possibly "") for parquet.
	Path string
	// Label is the class id as the dataset stores it: -1 when the row has
	// none (a null, or Hugging Face's -1), any other value as it is, so
	// that a bad label can be reported as it is.
	Label int
	// Err, when not nil, says why the row could not be read: a missing or
	// unreadable file, a null image, corrupt parquet bytes. Image is then
	// nil. Read goes on with the next row; the caller counts the row as a
	// failure or stops.
	Err error
}

// Source is a dataset of labelled images.
type Source interface {
	// Classes returns class names by label id; nil if the dataset has none.
	Classes() []string
	// Len returns the number of rows.
	Len() int
	// Read calls fn for each of rows (ascending, distinct, in range) in
	// ascending order, holding only a few images in memory at a time. A
	// row that cannot be read reaches fn with Sample.Err set. Read stops
	// at and returns the first error from fn, or one that ends the whole
	// read (rows out of range, a closed dataset).
	Read(rows []int, fn func(Sample) error) error
	io.Closer
}

// ErrNoClasses reports a dataset whose labels have no class names; give
// them with a labels file (see LoadLabels).
var ErrNoClasses = errors.New("dataset has no class names")

// ClassNames returns the class names to use for src: those of labelsPath
// when it is not "", else src.Classes(). It wraps ErrNoClasses when neither
// has any.
func ClassNames(src Source, labelsPath string) ([]string, error) {
	if labelsPath != "" {
		return LoadLabels(labelsPath)
	}
	if c := src.Classes(); len(c) > 0 {
		return c, nil
	}
	return nil, fmt.Errorf("%w: the label column has no ClassLabel names; give them with a labels file (--labels FILE)", ErrNoClasses)
}

// Option changes how Open reads a dataset.
type Option func(*options)

type options struct {
	allowOutside bool
}

func newOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// AllowPathsOutside lets a CSV/JSONL list name images anywhere: absolute
// paths, paths climbing out of the list's folder, symlinks leading out. By
// default they are refused, so that a list from elsewhere cannot make zsic
// read (and report on) arbitrary files.
func AllowPathsOutside() Option { return func(o *options) { o.allowOutside = true } }

// Open opens the dataset at path: a .parquet file, a folder of .parquet
// shards (read in name order as one dataset), an ImageFolder-layout folder
// (class_name/image.jpg, classes are the sorted folder names), or a .csv or
// .jsonl manifest of image paths and class names (see OpenManifest).
func Open(path string, cols Columns, opts ...Option) (Source, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open dataset: %w", err)
	}
	if !info.IsDir() {
		switch ext := strings.ToLower(filepath.Ext(path)); ext {
		case ".parquet":
			return OpenParquet([]string{path}, cols)
		case ".csv", ".jsonl":
			return OpenManifest(path, cols, opts...)
		default:
			return nil, fmt.Errorf("open dataset %s: unknown file type %q, want .parquet, .csv or .jsonl", path, ext)
		}
	}
	shards, err := parquetShards(path)
	if err != nil {
		return nil, err
	}
	if len(shards) > 0 {
		return OpenParquet(shards, cols)
	}
	return OpenImageFolder(path)
}

// parquetShards lists the .parquet files directly in dir, in name order.
func parquetShards(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open dataset %s: %w", dir, err)
	}
	var shards []string
	for _, e := range entries { // ReadDir sorts by name.
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".parquet") {
			shards = append(shards, filepath.Join(dir, e.Name()))
		}
	}
	return shards, nil
}

// checkRows reports whether rows are ascending, distinct and below n.
func checkRows(rows []int, n int) error {
	for i, r := range rows {
		if r < 0 || r >= n {
			return fmt.Errorf("row %d out of range: the dataset has %d rows (0 to %d)", r, n, n-1)
		}
		if i > 0 && r <= rows[i-1] {
			return fmt.Errorf("rows[%d]=%d does not follow rows[%d]=%d: rows must be ascending and distinct", i, r, i-1, rows[i-1])
		}
	}
	return nil
}
