package head

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// refMatrix is the matrix of testdata/gen.py.
func refMatrix() [][]float32 {
	m := make([][]float32, 3)
	for i := range m {
		m[i] = make([]float32, 5)
		for j := range m[i] {
			m[i][j] = float32(i) + float32(j)/8
		}
	}
	m[2][4] = float32(negZero())
	m[1][3] = 1e-30
	return m
}

func negZero() float64 { z := 0.0; return -z }

func TestNPYMatchesNumpy(t *testing.T) {
	ref, err := os.ReadFile(filepath.Join("testdata", "ref.npy"))
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, WriteNPY(&b, refMatrix(), 5))
	require.Equal(t, ref, b.Bytes(), "WriteNPY differs from numpy.save")

	got, err := ReadNPY(ref)
	require.NoError(t, err)
	require.Equal(t, refMatrix(), got)

	for file, want := range map[string]string{
		"f8.npy":      "dtype <f8, want <f4",
		"fortran.npy": "Fortran-order array",
		"r3.npy":      "has 3 dimensions, want 2",
	} {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		require.NoError(t, err)
		_, err = ReadNPY(data)
		require.ErrorContains(t, err, want, file)
	}
	_, err = ReadNPY(ref[:len(ref)-3])
	require.ErrorContains(t, err, "needs 60 bytes of data, the file has 57")
	_, err = ReadNPY(append(append([]byte{}, ref...), 0))
	require.ErrorContains(t, err, "the file has 61")
	_, err = ReadNPY([]byte("PK\x03\x04 not npy"))
	require.ErrorContains(t, err, "not a .npy file")
	_, err = ReadNPY(ref[:40])
	require.ErrorContains(t, err, "header of 118 bytes but the file has 40")
	require.ErrorContains(t, WriteNPY(&b, [][]float32{{1, 2}, {3}}, 2), "row 1 has 1 values, want 2")
}

// towers writes two fake tower files and returns role → path.
func towers(t *testing.T, image, text string) map[string]string {
	dir := t.TempDir()
	out := map[string]string{}
	for role, content := range map[string]string{"image-encoder": image, "text-encoder": text} {
		p := filepath.Join(dir, role+".onnx")
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		out[role] = p
	}
	return out
}

func TestSaveLoadCheck(t *testing.T) {
	tw := towers(t, "image tower", "text tower")
	recs, err := TowerSHA256(tw)
	require.NoError(t, err)
	// printf 'image tower' | sha256sum
	require.Equal(t, "7421a750ffb27c380e0a0bb7c481515ec89b6a57469a6f2b2fd638fa2cc05468", recs["image-encoder"].SHA256)
	h := &Head{
		Embeds: refMatrix(),
		Meta: Meta{
			Classes:       []string{"apple", "aquarium fish", "crab"},
			Templates:     []string{"a photo of a {}."},
			Towers:        recs,
			Normalization: "l2-normalize each prompt, mean, l2-normalize",
			ModelType:     "clip",
			Scoring:       &Scoring{Kind: "softmax", Scale: 100},
		},
	}
	path := filepath.Join(t.TempDir(), "head.npy")
	require.NoError(t, h.Save(path))
	npy, err := os.ReadFile(path)
	require.NoError(t, err)
	ref, err := os.ReadFile(filepath.Join("testdata", "ref.npy"))
	require.NoError(t, err)
	require.Equal(t, ref, npy)
	require.FileExists(t, filepath.Join(filepath.Dir(path), "head.json"))

	got, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, h.Embeds, got.Embeds)
	require.Equal(t, h.Meta, got.Meta)
	require.Equal(t, 5, got.Meta.Dim)
	require.NoError(t, got.Check(tw, path))
	require.NoError(t, got.Check(map[string]string{"image-encoder": tw["image-encoder"]}, path))

	// Another image tower, or another text tower, is refused.
	other := towers(t, "quantized image tower", "text tower")
	err = got.Check(other, path)
	var mm *TowerMismatchError
	require.True(t, errors.As(err, &mm), "got %v", err)
	require.Equal(t, "image-encoder", mm.Role)
	require.ErrorContains(t, err, "was made for another image-encoder")
	err = got.Check(towers(t, "image tower", "other text tower"), path)
	require.True(t, errors.As(err, &mm))
	require.Equal(t, "text-encoder", mm.Role)
	require.ErrorContains(t, got.Check(map[string]string{"text-encoder": tw["text-encoder"]}, path), "no image encoder")
}

func TestLoadErrors(t *testing.T) {
	tw := towers(t, "i", "t")
	recs, err := TowerSHA256(tw)
	require.NoError(t, err)
	good := func() *Head {
		return &Head{Embeds: [][]float32{{1, 0}, {0, 1}}, Meta: Meta{Classes: []string{"a", "b"}, Towers: recs, Normalization: "x"}}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "h.npy")
	require.NoError(t, good().Save(path))

	require.ErrorContains(t, good().Save(filepath.Join(dir, "h.bin")), "must end in .npy")
	h := good()
	h.Meta.Classes = []string{"a"}
	require.ErrorContains(t, h.Save(path), "2 class embeddings for 1 class names")
	h = good()
	delete(h.Meta.Towers, "image-encoder")
	require.ErrorContains(t, h.Save(path), "no image-encoder tower recorded")

	_, err = Load(filepath.Join(dir, "missing.npy"))
	require.ErrorContains(t, err, "missing.npy")
	// Sidecar edits that no longer agree with the array.
	side := SidecarPath(path)
	orig, err := os.ReadFile(side)
	require.NoError(t, err)
	for name, edit := range map[string]func([]byte) []byte{
		"dim":     func(b []byte) []byte { return bytes.Replace(b, []byte(`"dim": 2`), []byte(`"dim": 3`), 1) },
		"version": func(b []byte) []byte { return bytes.Replace(b, []byte(`"version": 1`), []byte(`"version": 9`), 1) },
		"unknown": func(b []byte) []byte { return bytes.Replace(b, []byte(`"dim"`), []byte(`"extra": 1, "dim"`), 1) },
		"json":    func(b []byte) []byte { return b[:len(b)/2] },
	} {
		require.NoError(t, os.WriteFile(side, edit(orig), 0o644))
		_, err := Load(path)
		require.Error(t, err, name)
		require.ErrorContains(t, err, "h.json", name)
	}
	require.NoError(t, os.Remove(side))
	_, err = Load(path)
	require.ErrorContains(t, err, "its sidecar")
}
