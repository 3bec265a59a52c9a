package dataset

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoadLabels(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, text string
		want       []string
	}{
		{"lines", "cat\ndog\nsweet_pepper\n", []string{"cat", "dog", "sweet_pepper"}},
		{"crlf and trailing blanks", "cat\r\n dog \r\n\r\n\n", []string{"cat", "dog"}},
		{"no final newline", "cat\ndog", []string{"cat", "dog"}},
		{"bom", "\ufeffcat\ndog\n", []string{"cat", "dog"}},
		{"json", ` ["cat", "maple_tree"]`, []string{"cat", "maple_tree"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadLabels(writeFile(t, dir, tt.name+".txt", []byte(tt.text)))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestLoadLabelsErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, text, want string }{
		{"empty", "", "no class names"},
		{"blank", "\n\n", "no class names"},
		{"blank in middle", "cat\n\ndog\n", "line 2 is blank: want one class name per line"},
		{"repeated", "cat\ndog\ncat\n", `class name "cat" is repeated (ids 0 and 2)`},
		{"bad json", `["cat", 3]`, "want a JSON array of strings"},
		{"json empty name", `["cat", ""]`, "class 1 has an empty name"},
		{"json empty", `[]`, "no class names"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, tt.name+".txt", []byte(tt.text))
			_, err := LoadLabels(path)
			require.ErrorContains(t, err, "load labels "+path+": "+tt.want)
		})
	}
	_, err := LoadLabels(filepath.Join(dir, "absent.txt"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestClassNames(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hf.parquet")
	writeHF(t, path, 0, 2, 2, hfMeta(t, testClasses))
	src, err := Open(path, DefaultColumns())
	require.NoError(t, err)
	defer src.Close()

	got, err := ClassNames(src, "")
	require.NoError(t, err)
	require.Equal(t, testClasses, got)
	got, err = ClassNames(src, writeFile(t, dir, "labels.txt", []byte("a\nb\nc\n")))
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c"}, got, "a labels file overrides the metadata")
	_, err = ClassNames(src, filepath.Join(dir, "absent.txt"))
	require.ErrorIs(t, err, os.ErrNotExist)
}
