package dataset

import (
	"bufio"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// maxPageBytes bounds the size a page header may claim, compressed or not:
// parquet-go allocates a page's buffer from its header before reading it,
// so a corrupt header could make it allocate gigabytes.
const maxPageBytes = 1 << 30

// maxHeaderBytes bounds the bytes of one page header (its statistics
// included).
const maxHeaderBytes = 1 << 16

// checkChunk walks the page headers of the flat column chunk leaf of row
// group g, before the parquet library reads it, and reports a header whose
// sizes do not fit in the chunk or whose value count exceeds the group's
// rows: bytes that would make the library allocate huge buffers or panic.
func (sh *parquetShard) checkChunk(g, leaf int, rows int64) error {
	md := sh.pf.Metadata().RowGroups[g].Columns[leaf].MetaData
	start := md.DataPageOffset
	if md.DictionaryPageOffset > 0 && md.DictionaryPageOffset < start {
		start = md.DictionaryPageOffset
	}
	end := start + md.TotalCompressedSize
	if start < 4 || md.TotalCompressedSize < 0 || end < start || end > sh.size {
		return fmt.Errorf("the footer places the column chunk at bytes %d to %d of a %d-byte file", start, end, sh.size)
	}
	pos := start
	for page := 0; pos < end; page++ {
		// Read just the header; the page's bytes are skipped, not read.
		// A header is small: give the decoder a bounded window, so that a
		// corrupt container length cannot make it read the whole chunk.
		cr := &countingReader{r: bufio.NewReaderSize(io.NewSectionReader(sh.reader, pos, min(end-pos, maxHeaderBytes)), 512)}
		var h format.PageHeader
		if err := decodeHeader(cr, &h); err != nil {
			return fmt.Errorf("page %d header at byte %d: %w", page, pos, err)
		}
		pos += cr.n
		left := end - pos
		switch {
		case int64(h.CompressedPageSize) < 0 || int64(h.CompressedPageSize) > left:
			return fmt.Errorf("page %d claims %d bytes, the chunk has %d left", page, h.CompressedPageSize, left)
		case h.UncompressedPageSize < 0 || h.UncompressedPageSize > maxPageBytes:
			return fmt.Errorf("page %d claims %d bytes uncompressed (want 0 to %d)", page, h.UncompressedPageSize, maxPageBytes)
		}
		if n, ok := pageValues(&h); ok && (n < 0 || n > rows) {
			return fmt.Errorf("page %d claims %d values, the row group has %d rows", page, n, rows)
		}
		pos += int64(h.CompressedPageSize)
	}
	return nil
}

// pageValues returns the number of values a data page header claims.
func pageValues(h *format.PageHeader) (int64, bool) {
	switch {
	case h.DataPageHeader.Valid:
		return int64(h.DataPageHeader.V.NumValues), true
	case h.DataPageHeaderV2.Valid:
		return int64(h.DataPageHeaderV2.V.NumValues), true
	}
	return 0, false
}

// errHeaderPastWindow stops the thrift decoder when a corrupt header keeps
// reading past the end of its window: the decoder's skipping of a list
// ignores read errors, so a list that claims 2^31 items would otherwise spin
// through them all at the end of the window (seconds per header, found by
// FuzzParquetPages).
var errHeaderPastWindow = fmt.Errorf("the header runs past %d bytes", maxHeaderBytes)

// maxReadErrors is how many failed reads the decoder gets before it is
// stopped.
const maxReadErrors = 64

// decodeHeader decodes one page header from cr, turning a decoder stopped
// by cr into an error.
func decodeHeader(cr *countingReader, h *format.PageHeader) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if r != errHeaderPastWindow {
				panic(r)
			}
			err = errHeaderPastWindow
		}
	}()
	return thrift.NewDecoder(new(thrift.CompactProtocol).NewReader(cr)).Decode(h)
}

// countingReader counts the bytes read through it, and stops a reader that
// keeps reading after the end (see errHeaderPastWindow).
type countingReader struct {
	r    *bufio.Reader
	n    int64
	errs int
}

func (c *countingReader) failed(err error) {
	if err != nil {
		if c.errs++; c.errs > maxReadErrors {
			panic(errHeaderPastWindow)
		}
	}
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.failed(err)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	c.failed(err)
	return b, err
}
