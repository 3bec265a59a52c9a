package dataset

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// parquetSource reads one or more parquet shards as one dataset.
type parquetSource struct {
	shards  []*parquetShard
	classes []string
	n       int
}

// parquetShard is one open parquet file and the leaf columns to read.
type parquetShard struct {
	name   string
	file   io.Closer // nil once closed
	reader io.ReaderAt
	size   int64
	pf     *parquet.File
	start  int // global index of the shard's first row
	image  int // leaf column index of the image bytes
	path   int // leaf column index of the image path, or -1
	label  int // leaf column index of the label, or -1
}

// OpenParquet opens parquet shards, in the given order, as one dataset.
// Class names come from the Hugging Face "huggingface" metadata when the
// label column is a ClassLabel; all shards that have names must agree.
func OpenParquet(paths []string, cols Columns) (Source, error) {
	if len(paths) == 0 {
		return nil, errors.New("open parquet: no files given")
	}
	if cols.Image == "" {
		return nil, errors.New("open parquet: no image column given")
	}
	s := &parquetSource{}
	for _, p := range paths {
		sh, classes, err := openShard(p, cols)
		if err != nil {
			s.Close()
			return nil, err
		}
		sh.start = s.n
		s.n += int(sh.pf.NumRows())
		s.shards = append(s.shards, sh)
		switch {
		case classes == nil:
		case s.classes == nil:
			s.classes = classes
		case !slices.Equal(classes, s.classes):
			s.Close()
			return nil, fmt.Errorf("open parquet %s: class names of column %q differ from those of %s", p, cols.Label, s.shards[0].name)
		}
	}
	return s, nil
}

// openShard opens one parquet file and finds the columns of cols in it.
func openShard(path string, cols Columns) (*parquetShard, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open parquet: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open parquet: %w", err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("open parquet %s: not a regular file (a parquet file is read at random offsets)", path)
	}
	sh, classes, err := newShard(path, f, info.Size(), cols)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	sh.file = f
	return sh, classes, nil
}

// newShard reads the footer of r, a parquet file of size bytes named path,
// and finds the columns of cols. A panic of the parquet library on corrupt
// bytes comes back as an error.
func newShard(path string, r io.ReaderAt, size int64, cols Columns) (sh *parquetShard, classes []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			sh, classes, err = nil, nil, fmt.Errorf("open parquet %s: corrupt footer (the parquet reader failed: %v)", path, p)
		}
	}()
	pf, err := parquet.OpenFile(r, size, parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		return nil, nil, fmt.Errorf("open parquet %s: %w", path, err)
	}
	if err := checkRowCounts(pf); err != nil {
		return nil, nil, fmt.Errorf("open parquet %s: corrupt footer: %w", path, err)
	}
	sh = &parquetShard{name: path, file: io.NopCloser(nil), reader: r, size: size, pf: pf, path: -1, label: -1}
	schema := pf.Schema()
	if sh.image, sh.path, err = imageColumns(schema, cols.Image); err != nil {
		return nil, nil, fmt.Errorf("open parquet %s: %w", path, err)
	}
	if cols.Label == "" {
		return sh, nil, nil
	}
	if sh.label, err = labelColumn(schema, cols.Label); err != nil {
		return nil, nil, fmt.Errorf("open parquet %s: %w", path, err)
	}
	meta, ok := pf.Lookup(hfMetadataKey)
	if !ok {
		return sh, nil, nil
	}
	classes, err = classLabelNames(meta, cols.Label)
	if err != nil {
		return nil, nil, fmt.Errorf("open parquet %s: %w", path, err)
	}
	return sh, classes, nil
}

// maxRows bounds the rows of one parquet file, so that a corrupt footer
// cannot make a reader allocate for billions of rows.
const maxRows = 1 << 31

// checkRowCounts reports a footer whose row counts are negative, too large
// or disagree with the sum of its row groups'.
func checkRowCounts(pf *parquet.File) error {
	total := pf.NumRows()
	if total < 0 || total > maxRows {
		return fmt.Errorf("it claims %d rows (want 0 to %d)", total, int64(maxRows))
	}
	var sum int64
	for i, rg := range pf.RowGroups() {
		n := rg.NumRows()
		if n < 0 || n > total-sum {
			return fmt.Errorf("row group %d claims %d rows, more than the file's %d", i, n, total)
		}
		sum += n
	}
	if sum != total {
		return fmt.Errorf("its row groups hold %d rows, the file claims %d", sum, total)
	}
	return nil
}

// imageColumns finds the leaf columns of the image bytes and, for a
// {bytes, path} struct, of the path (-1 if there is none).
func imageColumns(schema *parquet.Schema, name string) (image, path int, err error) {
	node, err := topField(schema, name, "image")
	if err != nil {
		return 0, 0, err
	}
	if node.Leaf() {
		leaf, _ := schema.Lookup(name)
		return leaf.ColumnIndex, -1, checkLeaf(leaf, name, parquet.ByteArray)
	}
	leaf, ok := schema.Lookup(name, "bytes")
	if !ok {
		return 0, 0, fmt.Errorf("image column %q is a group without a \"bytes\" field, want binary or {bytes, path}", name)
	}
	if err := checkLeaf(leaf, name+".bytes", parquet.ByteArray); err != nil {
		return 0, 0, err
	}
	path = -1
	if pl, ok := schema.Lookup(name, "path"); ok && pl.Node.Leaf() && pl.MaxRepetitionLevel == 0 && pl.Node.Type().Kind() == parquet.ByteArray {
		path = pl.ColumnIndex
	}
	return leaf.ColumnIndex, path, nil
}

// labelColumn finds the leaf column of the integer label.
func labelColumn(schema *parquet.Schema, name string) (int, error) {
	node, err := topField(schema, name, "label")
	if err != nil {
		return 0, err
	}
	if !node.Leaf() {
		return 0, fmt.Errorf("label column %q is a group, want an integer column", name)
	}
	leaf, _ := schema.Lookup(name)
	if leaf.Node.Type().Kind() == parquet.Int32 {
		return leaf.ColumnIndex, checkLeaf(leaf, name, parquet.Int32)
	}
	return leaf.ColumnIndex, checkLeaf(leaf, name, parquet.Int64)
}

// topField returns the top-level field name, or an error listing the
// columns there are.
func topField(schema *parquet.Schema, name, role string) (parquet.Field, error) {
	var names []string
	for _, f := range schema.Fields() {
		if f.Name() == name {
			return f, nil
		}
		names = append(names, f.Name())
	}
	return nil, fmt.Errorf("no %s column %q: the columns are %s", role, name, strings.Join(names, ", "))
}

// checkLeaf reports whether leaf holds one value of kind per row.
func checkLeaf(leaf parquet.LeafColumn, name string, kind parquet.Kind) error {
	if leaf.MaxRepetitionLevel > 0 {
		return fmt.Errorf("column %q is a list, want one value per row", name)
	}
	if k := leaf.Node.Type().Kind(); k != kind {
		return fmt.Errorf("column %q holds %s values, want %s", name, k, kind)
	}
	return nil
}

// Classes returns the ClassLabel names of the label column, or nil.
func (s *parquetSource) Classes() []string { return s.classes }

// Len returns the number of rows in all shards.
func (s *parquetSource) Len() int { return s.n }

// Close closes the shards' files.
func (s *parquetSource) Close() error {
	var errs []error
	for _, sh := range s.shards {
		if sh.file != nil {
			errs = append(errs, sh.file.Close())
			sh.file = nil
		}
	}
	return errors.Join(errs...)
}

// Read calls fn for each of rows, reading only the row groups that hold
// them, a page at a time.
func (s *parquetSource) Read(rows []int, fn func(Sample) error) error {
	if err := checkRows(rows, s.n); err != nil {
		return err
	}
	for _, sh := range s.shards {
		if len(rows) == 0 {
			break
		}
		if sh.file == nil {
			return fmt.Errorf("read %s: dataset is closed", sh.name)
		}
		start := sh.start
		for g, rg := range sh.pf.RowGroups() {
			end := start + int(rg.NumRows())
			k := 0
			for k < len(rows) && rows[k] < end {
				k++
			}
			if k > 0 {
				if err := sh.readGroup(g, rg, start, rows[:k], fn); err != nil {
					return err
				}
				rows = rows[k:]
			}
			start = end
		}
	}
	return nil
}
