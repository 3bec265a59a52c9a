package dataset

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// readGroup calls fn for rows (global indices, ascending, all in the row
// group number g, rg, whose first row is start), reading the needed columns
// in step. Bad bytes in a column chunk (an error or a panic of the parquet
// library) do not end the read: fn gets each remaining row of the group with
// Err naming the file, row group and column, and the next group is read.
// Errors from fn end it.
func (sh *parquetShard) readGroup(g int, rg parquet.RowGroup, start int, rows []int, fn func(Sample) error) error {
	done := 0 // rows passed to fn
	var fnErr error
	err := sh.scanGroup(g, rg, start, rows, func(s Sample) error {
		done++
		fnErr = fn(s)
		return fnErr
	})
	if err == nil || fnErr != nil {
		return err
	}
	for _, r := range rows[done:] {
		if err := fn(Sample{Row: r, Label: -1, Err: err}); err != nil {
			return err
		}
	}
	return nil
}

// scanGroup reads rows of row group g and calls fn for each; see readGroup.
// It returns fn's error as is, and an error naming the column for bad
// bytes, including a panic of the parquet library on them.
func (sh *parquetShard) scanGroup(g int, rg parquet.RowGroup, start int, rows []int, fn func(Sample) error) (err error) {
	col := "" // the column being read, for errors
	inFn := false
	defer func() {
		if p := recover(); p != nil {
			if inFn {
				panic(p)
			}
			err = fmt.Errorf("read %s row group %d column %s: corrupt data (the parquet reader failed: %v)", sh.name, g, col, p)
		}
	}()
	colErr := func(r int, err error) error {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("read %s row group %d column %s (row %d): %w", sh.name, g, col, r, err)
	}
	chunks := rg.ColumnChunks()
	leaves := sh.pf.Schema().Columns()
	name := func(i int) string { return strings.Join(leaves[i], ".") }
	for _, leaf := range []int{sh.image, sh.path, sh.label} {
		if leaf < 0 {
			continue
		}
		col = name(leaf)
		if err := sh.checkChunk(g, leaf, rg.NumRows()); err != nil {
			return fmt.Errorf("read %s row group %d column %s: corrupt data: %w", sh.name, g, col, err)
		}
	}
	col = name(sh.image)
	image := newCursor(chunks[sh.image])
	defer image.close()
	var path, label *cursor
	if sh.path >= 0 {
		col = name(sh.path)
		path = newCursor(chunks[sh.path])
		defer path.close()
	}
	if sh.label >= 0 {
		col = name(sh.label)
		label = newCursor(chunks[sh.label])
		defer label.close()
	}
	pos := start
	for _, r := range rows {
		s := Sample{Row: r, Label: -1}
		col = name(sh.image)
		if err := image.skip(r - pos); err != nil {
			return colErr(r, err)
		}
		v, err := image.next()
		if err != nil {
			return colErr(r, err)
		}
		if v.IsNull() {
			s.Err = fmt.Errorf("read %s row %d: the image (column %s) is null", sh.name, r, col)
		} else {
			s.Image = append([]byte(nil), v.ByteArray()...)
		}
		if path != nil {
			col = name(sh.path)
			if err := path.skip(r - pos); err != nil {
				return colErr(r, err)
			}
			v, err := path.next()
			if err != nil {
				return colErr(r, err)
			}
			if !v.IsNull() {
				s.Path = string(v.ByteArray())
			}
		}
		if label != nil {
			col = name(sh.label)
			if err := label.skip(r - pos); err != nil {
				return colErr(r, err)
			}
			v, err := label.next()
			if err != nil {
				return colErr(r, err)
			}
			if !v.IsNull() {
				// Kept as stored: -1 is Hugging Face's "no label", any
				// other negative value is reported as it is.
				s.Label = int(v.Int64())
			}
		}
		pos = r + 1
		inFn = true
		err = fn(s)
		inFn = false
		if err != nil {
			return err
		}
	}
	return nil
}

// cursor reads the values of one flat column chunk in order, a page at a
// time. Values returned by next are valid until the following call.
type cursor struct {
	pages parquet.Pages
	page  parquet.Page
	vals  parquet.ValueReader
	buf   []parquet.Value
	i, n  int
}

func newCursor(c parquet.ColumnChunk) *cursor {
	return &cursor{pages: c.Pages(), buf: make([]parquet.Value, 64)}
}

// skip discards the next n values, dropping whole pages where it can.
func (c *cursor) skip(n int) error {
	for n > 0 {
		if c.i < c.n {
			d := min(n, c.n-c.i)
			c.i += d
			n -= d
			continue
		}
		if c.vals == nil {
			if err := c.readPage(); err != nil {
				return err
			}
			if rows := int(c.page.NumRows()); rows <= n {
				n -= rows
				c.dropPage()
				continue
			}
		}
		if err := c.fill(); err != nil {
			return err
		}
	}
	return nil
}

// next returns the next value.
func (c *cursor) next() (parquet.Value, error) {
	for c.i >= c.n {
		if c.vals == nil {
			if err := c.readPage(); err != nil {
				return parquet.Value{}, err
			}
		}
		if err := c.fill(); err != nil {
			return parquet.Value{}, err
		}
	}
	c.i++
	return c.buf[c.i-1], nil
}

// readPage moves to the next page.
func (c *cursor) readPage() error {
	p, err := c.pages.ReadPage()
	if err != nil {
		return err
	}
	c.page, c.vals = p, p.Values()
	return nil
}

// fill reads the next values of the current page into buf, dropping the
// page once it is exhausted.
func (c *cursor) fill() error {
	n, err := c.vals.ReadValues(c.buf)
	c.i, c.n = 0, n
	switch {
	case errors.Is(err, io.EOF):
		if n == 0 {
			c.dropPage()
		} else {
			c.vals = endOfPage{}
		}
	case err != nil:
		return err
	}
	return nil
}

// dropPage releases the current page.
func (c *cursor) dropPage() {
	if c.page != nil {
		parquet.Release(c.page)
	}
	c.page, c.vals = nil, nil
}

func (c *cursor) close() {
	c.dropPage()
	c.pages.Close()
}

// endOfPage is the value reader of a page whose last values are buffered.
type endOfPage struct{}

func (endOfPage) ReadValues([]parquet.Value) (int, error) { return 0, io.EOF }
