package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/encoder"
)

func touch(t *testing.T, path string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("x"), 0o644))
	return path
}

func TestParseTowers(t *testing.T) {
	dir := t.TempDir()
	img := touch(t, filepath.Join(dir, "img.onnx"))
	txt := touch(t, filepath.Join(dir, "txt.onnx"))
	tests := []struct {
		name    string
		args    []string
		wantDir string
		want    zsic.Towers
		err     string
	}{
		{"folder", []string{dir}, dir, nil, ""},
		{"pairs", []string{"image-encoder=" + img, "text-encoder=" + txt}, "", zsic.Towers{zsic.ImageEncoder: img, zsic.TextEncoder: txt}, ""},
		{"unknown role", []string{"vision=" + img}, "", nil, `unknown role "vision" (valid roles: image-encoder, text-encoder)`},
		{"duplicate role", []string{"image-encoder=" + img, "image-encoder=" + txt}, "", nil, "role image-encoder given twice (valid roles: image-encoder, text-encoder, each once)"},
		{"empty path", []string{"text-encoder="}, "", nil, "empty path for role text-encoder (want -m text-encoder=PATH; valid roles: image-encoder, text-encoder)"},
		{"missing file", []string{"text-encoder=" + filepath.Join(dir, "nope.onnx")}, "", nil, "text-encoder file: stat " + filepath.Join(dir, "nope.onnx") + ": no such file or directory"},
		{"mixed", []string{dir, "image-encoder=" + img}, "", nil, "a bare path (a model folder) cannot be mixed with role=path pairs; give either -m DIR or -m ROLE=PATH for each of image-encoder, text-encoder"},
		{"two folders", []string{dir, dir}, "", nil, "more than one bare path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, towers, err := parseTowers(tt.args)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantDir, d)
			if tt.want != nil {
				require.Equal(t, tt.want, towers)
			}
		})
	}
}

func TestParseLabels(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "names.txt")
	require.NoError(t, os.WriteFile(file, []byte("apple\nmaple_tree\n"), 0o644))
	for _, tc := range []struct {
		value string
		want  []string
		err   string
	}{
		{"cat,dog, bird ,", []string{"cat", "dog", "bird"}, ""},
		{"@" + file, []string{"apple", "maple_tree"}, ""},
		{file, nil, "names a file: write --labels @" + file},
		{"@" + filepath.Join(dir, "none.txt"), nil, "none.txt: no such file"},
		{"cat,cat", []string{"cat", "cat"}, ""},
		{" , ", nil, "no names"},
	} {
		got, err := parseLabels(tc.value)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, tc.value)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
}

// TestAdvise checks that the CLI adds the flag or command that fixes each
// typed library error, and leaves other errors alone.
func TestAdvise(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&zsic.MissingTowerError{Role: zsic.ImageEncoder, Dir: "m", Tried: []string{"a.onnx"}}, "model m: no image-encoder: looked for a.onnx (or give -m image-encoder=PATH)"},
		{&zsic.MissingTowerError{Role: zsic.TextEncoder}, "no model folder and no text-encoder file: give -m DIR, --model-id, or -m ROLE=PATH"},
		{&zsic.ConfigNotFoundError{Tried: []string{"x/config.json"}}, "no config.json at x/config.json: give the model folder with --model-id"},
		{&encoder.LibraryError{Path: "/l.so", Err: errors.New("boom")}, "ONNX Runtime library /l.so: boom (run `make setup`, or set ONNXRUNTIME_LIB"},
		{&encoder.DeviceError{Device: "cuda", Err: errors.New("no")}, "(set ONNXRUNTIME_LIB to an ONNX Runtime build with it)"},
		{fmt.Errorf("d: %w", zsic.ErrNoClasses), "no class names; give them with --labels a,b,c or --labels @FILE"},
		{fmt.Errorf("list: %w", dataset.ErrPathOutside), "(--allow-outside-paths)"},
	} {
		got := advise(tc.err)
		require.ErrorContains(t, got, tc.want)
		require.ErrorIs(t, got, tc.err, "advice keeps the error inspectable")
	}
	plain := errors.New("plain")
	require.Equal(t, plain, advise(plain))
}
