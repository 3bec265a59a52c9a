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

	"github.com/zsic/zsic/zsic"
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

// Sample is one row of a dataset: package zsic's Sample, which Source.Read
// yields.
type Sample = zsic.Sample

// Source is a dataset of labelled images. It is a zsic.Source, so that
// Evaluate reads it, with the class names, size and Close of a dataset.
type Source interface {
	zsic.Source
	// Classes returns class names by label id; nil if the dataset has none.
	Classes() []string
	// Len returns the number of rows.
	Len() int
	io.Closer
}

// ErrNoClasses reports a dataset whose labels have no class names; give
// them with a labels file (see LoadLabels). It is zsic.ErrNoClasses.
var ErrNoClasses = zsic.ErrNoClasses

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
	return nil, fmt.Errorf("%w: the label column has no ClassLabel names", ErrNoClasses)
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

// ErrPathOutside is wrapped by the error of a list that names an image
// outside its folder; AllowPathsOutside lets such lists open.
var ErrPathOutside = errors.New("allow paths anywhere (AllowPathsOutside)")

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
