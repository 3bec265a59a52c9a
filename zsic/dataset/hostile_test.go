package dataset

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"
)

// A null image, and labels that are null, -3 or MinInt64, reach the caller
// as they are: the null image as a row error (the read goes on), the labels
// unclamped so that messages can name them.
func TestParquetNullsAndLabels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "labels.parquet")
	label := func(v int64) *int64 { return &v }
	img := &hfImage{Bytes: testPNG(t, 1)}
	writeRows(t, path, []hfRow{
		{Img: img, FineLabel: nil},
		{Img: img, FineLabel: label(-3)},
		{Img: img, FineLabel: label(math.MinInt64)},
		{Img: nil, FineLabel: label(1)},
		{Img: img, FineLabel: label(2)},
	})
	src, err := Open(path, DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	got := readAll(t, src, allRows(5))
	require.Len(t, got, 5)
	require.Equal(t, []int{-1, -3, math.MinInt64, 1, 2}, []int{got[0].Label, got[1].Label, got[2].Label, got[3].Label, got[4].Label})
	require.ErrorContains(t, got[3].Err, "row 3: the image (column img.bytes) is null")
	require.Nil(t, got[3].Image)
	for _, i := range []int{0, 1, 2, 4} {
		require.NoError(t, got[i].Err)
		require.Equal(t, img.Bytes, got[i].Image)
	}
}

// pageOffsets returns the offset of the first page of every column chunk,
// and where the footer starts.
func pageOffsets(t testing.TB, data []byte) (offsets []int64, footer int) {
	t.Helper()
	f, err := parquet.OpenFile(bytesReaderAt(data), int64(len(data)))
	require.NoError(t, err)
	for _, rg := range f.Metadata().RowGroups {
		for _, c := range rg.Columns {
			offsets = append(offsets, c.MetaData.DataPageOffset)
		}
	}
	return offsets, len(data) - 8 - int(binary.LittleEndian.Uint32(data[len(data)-8:]))
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, os.ErrClosed
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, os.ErrClosed
	}
	return n, nil
}

// Corrupt page bytes, with the footer intact, make the rows of their row
// group fail with an error naming the file, row group and column; the
// other row groups are read.
func TestParquetCorruptPage(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	writeHF(t, good, 0, 12, 4, hfMeta(t, testClasses))
	data, err := os.ReadFile(good)
	require.NoError(t, err)
	offsets, _ := pageOffsets(t, data)
	// Row group 1's first column chunk is the image bytes: wreck its
	// page header's size fields.
	bad := append([]byte(nil), data...)
	for i := offsets[4]; i < offsets[4]+6; i++ {
		bad[i] = 0xff
	}
	path := filepath.Join(dir, "bad.parquet")
	require.NoError(t, os.WriteFile(path, bad, 0o644))
	src, err := Open(path, DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	got := readAll(t, src, allRows(12))
	require.Len(t, got, 12)
	for i, s := range got {
		if i >= 4 && i < 8 {
			require.Error(t, s.Err, "row %d", i)
			require.ErrorContains(t, s.Err, path+" row group 1 column img.bytes")
			continue
		}
		require.NoError(t, s.Err, "row %d", i)
		require.Equal(t, testPNG(t, i), s.Image)
	}
}

// A panic inside the parquet library becomes an error naming the file, row
// group and column, and the read goes on.
func TestParquetPanicRecovered(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.parquet")
	writeHF(t, path, 0, 6, 3, hfMeta(t, testClasses))
	src, err := Open(path, DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	sh := src.(*parquetSource).shards[0]
	rgs := sh.pf.RowGroups()
	var got []Sample
	collect := func(s Sample) error { got = append(got, s); return nil }
	require.NoError(t, sh.readGroup(0, panicGroup{rgs[0]}, 0, []int{0, 1, 2}, collect))
	require.NoError(t, sh.readGroup(1, rgs[1], 3, []int{3, 4}, collect))
	require.Len(t, got, 5)
	for _, s := range got[:3] {
		require.ErrorContains(t, s.Err, path+" row group 0 column img.bytes: corrupt data (the parquet reader failed: number of values out of range)")
	}
	for i, s := range got[3:] {
		require.NoError(t, s.Err)
		require.Equal(t, testPNG(t, 3+i), s.Image)
	}
}

// panicGroup is a row group whose column chunks panic when read, as
// parquet-go does on some corrupt pages.
type panicGroup struct{ parquet.RowGroup }

func (g panicGroup) ColumnChunks() []parquet.ColumnChunk {
	chunks := g.RowGroup.ColumnChunks()
	out := make([]parquet.ColumnChunk, len(chunks))
	for i, c := range chunks {
		out[i] = panicChunk{c}
	}
	return out
}

type panicChunk struct{ parquet.ColumnChunk }

func (panicChunk) Pages() parquet.Pages { panic("number of values out of range") }

// A footer claiming more rows than its row groups hold is refused at open.
func TestParquetRowCounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.parquet")
	writeHF(t, path, 0, 6, 3, hfMeta(t, testClasses))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	st, err := f.Stat()
	require.NoError(t, err)
	pf, err := parquet.OpenFile(f, st.Size())
	require.NoError(t, err)
	require.NoError(t, checkRowCounts(pf))
}

func TestImageFolderSymlinks(t *testing.T) {
	dir := t.TempDir()
	elsewhere := t.TempDir()
	writeFile(t, dir, "cat/a.png", testPNG(t, 1))
	writeFile(t, elsewhere, "dogs/b.png", testPNG(t, 2))
	require.NoError(t, os.Symlink(filepath.Join(elsewhere, "dogs"), filepath.Join(dir, "dog")))

	src, err := Open(dir, DefaultColumns())
	require.NoError(t, err)
	require.Equal(t, []string{"cat", "dog"}, src.Classes(), "a symlinked class folder is a class")
	got := readAll(t, src, allRows(src.Len()))
	require.Len(t, got, 2)
	require.Equal(t, 1, got[1].Label)
	require.Equal(t, testPNG(t, 2), got[1].Image)

	broken := t.TempDir()
	writeFile(t, broken, "cat/a.png", testPNG(t, 1))
	require.NoError(t, os.Symlink(filepath.Join(broken, "nowhere"), filepath.Join(broken, "dog")))
	_, err = Open(broken, DefaultColumns())
	require.ErrorContains(t, err, "class folder dog is a broken symlink")

	nested := t.TempDir()
	writeFile(t, nested, "cat/a.png", testPNG(t, 1))
	require.NoError(t, os.Symlink(filepath.Join(elsewhere, "dogs"), filepath.Join(nested, "cat", "more")))
	_, err = Open(nested, DefaultColumns())
	require.ErrorContains(t, err, "is a symlink to a folder inside class folder cat")

	empty := t.TempDir()
	writeFile(t, empty, "cat/a.png", testPNG(t, 1))
	writeFile(t, empty, "dog/notes.txt", []byte("x"))
	_, err = Open(empty, DefaultColumns())
	require.ErrorContains(t, err, "class folder dog holds no images")
}

func TestListConfined(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "list")
	writeFile(t, dir, "in/a.png", testPNG(t, 1))
	secret := writeFile(t, root, "secret.txt", []byte("password=hunter2"))
	require.NoError(t, os.Symlink(secret, filepath.Join(dir, "link.png")))

	for _, tc := range []struct{ name, text, want string }{
		{"dotdot", "path,label\nin/a.png,cat\n../secret.txt,cat\n", `line 3: path "../secret.txt" leads outside the list's folder`},
		{"absolute", "path,label\n" + secret + ",cat\n", `line 2: path "` + secret + `" leads outside`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list := writeFile(t, dir, tc.name+".csv", []byte(tc.text))
			_, err := Open(list, DefaultColumns())
			require.ErrorContains(t, err, tc.want)
			require.ErrorIs(t, err, ErrPathOutside)
			require.NotContains(t, err.Error(), "--", "a library message names no CLI flag")
			src, err := Open(list, DefaultColumns(), AllowPathsOutside())
			require.NoError(t, err)
			got := readAll(t, src, allRows(src.Len()))
			require.Equal(t, []byte("password=hunter2"), got[len(got)-1].Image, "opted out")
		})
	}

	// A symlink inside the folder that leads out is refused when read, and
	// nothing of the file it points to shows.
	list := writeFile(t, dir, "link.jsonl", []byte(`{"path": "link.png", "label": "cat"}`+"\n"))
	src, err := Open(list, DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	got := readAll(t, src, []int{0})
	require.Error(t, got[0].Err)
	require.ErrorContains(t, got[0].Err, "path escapes from parent")
	require.NotContains(t, got[0].Err.Error(), "hunter2")
	require.Nil(t, got[0].Image)
}

func TestListNotRegular(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "sub/x.png", nil)
	list := writeFile(t, dir, "l.csv", []byte("path,label\nsub,cat\n"))
	src, err := Open(list, DefaultColumns())
	require.NoError(t, err)
	got := readAll(t, src, []int{0})
	require.ErrorContains(t, got[0].Err, "sub: not a regular file")
}

// A manifest row given twice, for a dataset that holds the image once, is
// reported as a duplicate, not as missing.
func TestResolveRepeatedRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.parquet")
	writeHF(t, path, 0, 6, 6, hfMeta(t, testClasses))
	src, err := Open(path, DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	pinned, err := NewManifest(src, []int{2}, "d", "test", 0)
	require.NoError(t, err)
	m := &Manifest{Dataset: "d", Split: "test", Rows: []ManifestRow{pinned.Rows[0], pinned.Rows[0]}}
	_, err = m.Resolve(src)
	require.ErrorContains(t, err, "1 of 2 manifest rows are duplicates: rows[1] (sha256 "+pinned.Rows[0].SHA256[:12]+", label 2) repeats rows[0], and the dataset has only 1 such image(s)")
	require.NotContains(t, err.Error(), "not in the dataset")
}
