package dataset

import (
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
)

// readGroup calls fn for rows (global indices, ascending, all in the row
// group rg whose first row is start), reading the needed columns in step.
func (sh *parquetShard) readGroup(rg parquet.RowGroup, start int, rows []int, fn func(Sample) error) error {
	chunks := rg.ColumnChunks()
	image := newCursor(chunks[sh.image])
	defer image.close()
	var path, label *cursor
	if sh.path >= 0 {
		path = newCursor(chunks[sh.path])
		defer path.close()
	}
	if sh.label >= 0 {
		label = newCursor(chunks[sh.label])
		defer label.close()
	}
	pos := start
	for _, r := range rows {
		s := Sample{Row: r, Label: -1}
		if err := image.skip(r - pos); err != nil {
			return sh.readErr(r, err)
		}
		v, err := image.next()
		if err != nil {
			return sh.readErr(r, err)
		}
		if v.IsNull() {
			return fmt.Errorf("read %s: row %d has no image", sh.name, r)
		}
		s.Image = append([]byte(nil), v.ByteArray()...)
		if path != nil {
			if err := path.skip(r - pos); err != nil {
				return sh.readErr(r, err)
			}
			v, err := path.next()
			if err != nil {
				return sh.readErr(r, err)
			}
			if !v.IsNull() {
				s.Path = string(v.ByteArray())
			}
		}
		if label != nil {
			if err := label.skip(r - pos); err != nil {
				return sh.readErr(r, err)
			}
			v, err := label.next()
			if err != nil {
				return sh.readErr(r, err)
			}
			if !v.IsNull() {
				s.Label = int(v.Int64())
				if s.Label < 0 {
					s.Label = -1
				}
			}
		}
		pos = r + 1
		if err := fn(s); err != nil {
			return err
		}
	}
	return nil
}

// readErr wraps an error met while reading row r.
func (sh *parquetShard) readErr(r int, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read %s row %d: %w", sh.name, r, err)
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
