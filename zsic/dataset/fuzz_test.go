package dataset

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"
)

// fuzzParquet returns a small CIFAR-layout parquet file: 9 rows in row
// groups of 4, small pages, class names in the metadata.
func fuzzParquet(t testing.TB) []byte {
	path := filepath.Join(t.TempDir(), "seed.parquet")
	writeHF(t, path, 0, 9, 4, hfMeta(t, testClasses))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// readParquetBytes opens data as a parquet dataset and reads every row,
// checking what any input must give: an error, or rows that each come
// with an image or an error. It never panics.
func readParquetBytes(t *testing.T, data []byte) {
	sh, _, err := newShard("fuzz.parquet", bytes.NewReader(data), int64(len(data)), DefaultColumns())
	if err != nil {
		return
	}
	src := &parquetSource{shards: []*parquetShard{sh}, n: int(sh.pf.NumRows())}
	if src.n > 1<<16 {
		return // a footer claiming that many rows is legal; reading them is slow
	}
	seen := 0
	err = src.Read(allRows(src.n), func(s Sample) error {
		require.Equal(t, seen, s.Row)
		seen++
		if s.Err != nil {
			require.Nil(t, s.Image, "row %d: an image and an error", s.Row)
		}
		return nil
	})
	if err == nil {
		require.Equal(t, src.n, seen, "every row reaches the caller")
	}
}

// FuzzParquetFile reads whole-file mutations of a parquet dataset: footer,
// metadata and pages alike.
func FuzzParquetFile(f *testing.F) {
	seed := fuzzParquet(f)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte("PAR1PAR1"))
	raw := filepath.Join(f.TempDir(), "raw.parquet")
	writeRows(f, raw, []rawRow{{Image: []byte("x"), Label: 1}})
	rawData, err := os.ReadFile(raw)
	require.NoError(f, err)
	f.Add(rawData)
	f.Fuzz(func(t *testing.T, data []byte) {
		readParquetBytes(t, data)
	})
}

// FuzzParquetPages mutates only the page bytes of a parquet dataset (page
// headers and data), keeping the footer intact, so that every input gets
// past the footer into the page decoders: patch is XORed in at pos, taken
// modulo the span between the magic number and the footer.
func FuzzParquetPages(f *testing.F) {
	seed := fuzzParquet(f)
	offsets, _ := pageOffsetsOf(seed)
	for _, o := range offsets {
		f.Add(uint32(o-4), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		f.Add(uint32(o-4+1), []byte{0x7f})
		f.Add(uint32(o-4+3), []byte{0x80, 0x01})
	}
	f.Add(uint32(100), []byte{0x01})
	f.Fuzz(func(t *testing.T, pos uint32, patch []byte) {
		_, footer := pageOffsetsOf(seed)
		span := footer - 4
		data := append([]byte(nil), seed...)
		start := 4 + int(pos%uint32(span))
		for i, b := range patch {
			if start+i >= footer {
				break
			}
			data[start+i] ^= b
		}
		readParquetBytes(t, data)
	})
}

// pageOffsetsOf returns the first page offset of every column chunk of a
// valid parquet file, and where its footer starts.
func pageOffsetsOf(data []byte) (offsets []int64, footer int) {
	footer = len(data) - 8 - int(binary.LittleEndian.Uint32(data[len(data)-8:]))
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		panic(err)
	}
	for _, rg := range f.Metadata().RowGroups {
		for _, c := range rg.Columns {
			offsets = append(offsets, c.MetaData.DataPageOffset)
		}
	}
	return offsets, footer
}

// FuzzList reads any CSV or JSONL list: no panic, and unless paths may go
// anywhere, every path it keeps is inside the list's folder.
func FuzzList(f *testing.F) {
	f.Add([]byte("path,label\nimgs/x.png,cat\nimgs/y.png,dog\n"), false)
	f.Add([]byte("\ufefflabel,extra,file\ncat,1,a.png\n,3,b.png\n"), false)
	f.Add([]byte("path,label\n../etc/passwd,cat\n/abs/x.png,dog\n"), false)
	f.Add([]byte("path\n\"a\nb.png\"\n"), false)
	f.Add([]byte("{\"path\":\"imgs/x.png\",\"label\":\"cat\"}\n\n{\"path\":\"y.png\",\"label\":null}\n"), true)
	f.Add([]byte("{\"path\":\"../x.png\"}\n"), true)
	f.Add([]byte("{\"path\": 3}\n"), true)
	dir := f.TempDir()
	writeFile(f, dir, "imgs/x.png", testPNG(f, 1))
	writeFile(f, dir, "imgs/y.png", []byte("not an image"))
	f.Fuzz(func(t *testing.T, text []byte, jsonl bool) {
		var recs []listRecord
		var err error
		if jsonl {
			recs, err = readJSONL(bytes.NewReader(text), DefaultColumns())
		} else {
			recs, err = readCSV(bytes.NewReader(text), DefaultColumns())
		}
		if err != nil || len(recs) == 0 {
			return
		}
		s, err := newListSource(filepath.Join(dir, "list.csv"), recs, false)
		if err != nil {
			return
		}
		defer s.Close()
		for _, it := range s.items {
			rel, err := filepath.Rel(dir, it.path)
			require.NoError(t, err)
			require.True(t, filepath.IsLocal(rel), "path %q leaves %s", it.path, dir)
		}
		if len(s.items) > 64 {
			return
		}
		require.NoError(t, s.Read(allRows(len(s.items)), func(smp Sample) error {
			require.True(t, smp.Err != nil || smp.Image != nil)
			return nil
		}))
	})
}
