package dataset

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// fileCase is an image expected in a folder or manifest dataset.
type fileCase struct {
	path  string // relative to the test folder
	label int
	img   []byte
}

// checkFiles reads all of src and compares it with want.
func checkFiles(t *testing.T, src Source, dir string, classes []string, want []fileCase) {
	t.Helper()
	require.Equal(t, classes, src.Classes())
	require.Equal(t, len(want), src.Len())
	got := readAll(t, src, allRows(src.Len()))
	for i, w := range want {
		require.Equal(t, Sample{Row: i, Image: w.img, Path: filepath.Join(dir, filepath.FromSlash(w.path)), Label: w.label}, got[i])
	}
	require.NoError(t, src.Close())
}

func TestImageFolder(t *testing.T) {
	dir := t.TempDir()
	img := func(i int) []byte { return testPNG(t, i) }
	writeFile(t, dir, "dog/b.png", img(1))
	writeFile(t, dir, "dog/a.JPG", img(2)) // Read as bytes: any content.
	writeFile(t, dir, "dog/notes.txt", []byte("skipped"))
	writeFile(t, dir, "dog/.hidden.png", img(3))
	writeFile(t, dir, "cat/sub/c.webp", img(4))
	writeFile(t, dir, "cat/a.png", img(5))
	writeFile(t, dir, ".git/x.png", img(6))
	writeFile(t, dir, "readme.md", []byte("skipped"))

	src, err := Open(dir, DefaultColumns())
	require.NoError(t, err)
	checkFiles(t, src, dir, []string{"cat", "dog"}, []fileCase{
		{"cat/a.png", 0, img(5)},
		{"cat/sub/c.webp", 0, img(4)},
		{"dog/a.JPG", 1, img(2)},
		{"dog/b.png", 1, img(1)},
	})
}

func TestManifestSources(t *testing.T) {
	dir := t.TempDir()
	img := func(i int) []byte { return testPNG(t, i) }
	writeFile(t, dir, "imgs/x.png", img(1))
	writeFile(t, dir, "imgs/y.png", img(2))
	abs := writeFile(t, t.TempDir(), "z.png", img(3))
	want := []fileCase{
		{"imgs/x.png", 1, img(1)},
		{"imgs/y.png", 0, img(2)},
		{"imgs/x.png", -1, img(1)},
	}
	tests := []struct {
		name, file, text string
		cols             Columns
	}{
		{"csv", "m.csv", "path,label\nimgs/x.png,sweet_pepper\nimgs/y.png,maple_tree\nimgs/x.png,\n", DefaultColumns()},
		{"csv named columns", "n.csv", "\ufefflabel,extra,file\nsweet_pepper,1,imgs/x.png\nmaple_tree,2,imgs/y.png\n,3,imgs/x.png\n", Columns{Image: "file", Label: "label"}},
		{"jsonl", "m.jsonl", "{\"path\":\"imgs/x.png\",\"label\":\"sweet_pepper\"}\n\n{\"path\":\"imgs/y.png\",\"label\":\"maple_tree\"}\n{\"path\":\"imgs/x.png\",\"label\":null}\n", DefaultColumns()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Open(writeFile(t, dir, tt.file, []byte(tt.text)), tt.cols)
			require.NoError(t, err)
			checkFiles(t, src, dir, []string{"maple_tree", "sweet_pepper"}, want)
		})
	}

	absList := writeFile(t, dir, "abs.csv", []byte("path\n"+abs+"\n"))
	_, err := Open(absList, DefaultColumns())
	require.ErrorContains(t, err, "line 2: path \""+abs+"\" leads outside the list's folder")
	src, err := Open(absList, DefaultColumns(), AllowPathsOutside())
	require.NoError(t, err)
	require.Nil(t, src.Classes())
	require.Equal(t, []Sample{{Row: 0, Image: img(3), Path: abs, Label: -1}}, readAll(t, src, []int{0}))
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	noImages := t.TempDir()
	writeFile(t, noImages, "cat/notes.txt", []byte("x"))
	missing := filepath.Join(dir, "m.csv")
	writeFile(t, dir, "missing.csv", []byte("path,label\nnope.png,cat\n"))
	tests := []struct {
		name, file, text, want string
	}{
		{"unknown type", "d.txt", "x", `unknown file type ".txt", want .parquet, .csv or .jsonl`},
		{"empty csv", "e.csv", "", "it is empty: want a header row naming the path and label columns"},
		{"csv no path column", "f.csv", "file,label\na.png,cat\n", `no path column "img" or "path" in the header: the columns are file, label`},
		{"csv no rows", "g.csv", "path,label\n", "it lists no images"},
		{"csv empty path", "h.csv", "path,label\n,cat\n", "line 2: empty path"},
		{"csv ragged", "i.csv", "path,label\na.png\n", "record on line 2: wrong number of fields"},
		{"jsonl not object", "j.jsonl", "[1]\n", "line 1: want a JSON object"},
		{"jsonl no path", "k.jsonl", "{\"file\":\"a.png\"}\n", `line 1: want a non-empty string "path" (the fields are file)`},
		{"jsonl numeric label", "l.jsonl", "{\"path\":\"a.png\",\"label\":3}\n", `line 1: field "label": want a class name string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, tt.file, []byte(tt.text))
			_, err := Open(path, DefaultColumns())
			require.ErrorContains(t, err, path)
			require.ErrorContains(t, err, tt.want)
		})
	}

	_, err := Open(missing, DefaultColumns())
	require.ErrorContains(t, err, "open dataset: stat "+missing+": no such file or directory")
	_, err = Open(t.TempDir(), DefaultColumns())
	require.ErrorContains(t, err, "no class folders and no .parquet files in it")
	_, err = Open(noImages, DefaultColumns())
	require.ErrorContains(t, err, "class folder cat holds no images (extensions .bmp .gif .jpeg .jpg .png .tif .tiff .webp)")

	src, err := Open(filepath.Join(dir, "missing.csv"), DefaultColumns())
	require.NoError(t, err)
	got := readAll(t, src, []int{0})
	require.Len(t, got, 1)
	require.Nil(t, got[0].Image)
	require.ErrorContains(t, got[0].Err, "read "+filepath.Join(dir, "missing.csv")+" row 0: open "+filepath.Join(dir, "nope.png")+": no such file or directory")
	require.ErrorContains(t, src.Read([]int{1}, nil), "row 1 out of range: the dataset has 1 rows")
}
