package imageproc

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"image"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zsic/zsic/internal/testenv"
)

// manifest lists the reference data fixtures/imageproc/gen.py computed
// with Pillow and numpy.
type manifest struct {
	Pillow string `json:"pillow"`
	Decode []struct {
		Input         string `json:"input"`
		Width, Height int
		Mode          string `json:"mode"`
		SHA256        string `json:"sha256"`
	} `json:"decode"`
	JPEG []struct {
		Input         string `json:"input"`
		Width, Height int
		PILRGB        string `json:"pil_rgb"`
	} `json:"jpeg"`
	Preprocess []struct {
		Input         string `json:"input"`
		Config        string `json:"config"`
		ModelType     string `json:"model_type"`
		ResizedWidth  int    `json:"resized_width"`
		ResizedHeight int    `json:"resized_height"`
		Resized       string `json:"resized"`
		TensorShape   []int  `json:"tensor_shape"`
		Tensor        string `json:"tensor"`
	} `json:"preprocess"`
	Resize []struct {
		Input                 string `json:"input"`
		Width, Height, Filter int
		Output                string `json:"output"`
	} `json:"resize"`
	Orient []struct {
		Orientation   int `json:"orientation"`
		Width, Height int
		SHA256        string `json:"sha256"`
	} `json:"orient"`
}

// fixtureDir returns fixtures/imageproc.
func fixtureDir(t testing.TB) string {
	return filepath.Join(testenv.Root(t), "fixtures", "imageproc")
}

func loadManifest(t testing.TB) manifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir(t), "manifest.json"))
	require.NoError(t, err)
	var m manifest
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

// readCase returns the gunzipped bytes of cases/name.
func readCase(t testing.TB, name string) []byte {
	t.Helper()
	return readGzip(t, filepath.Join(fixtureDir(t), "cases", name))
}

// readGzip returns the gunzipped bytes of the file at path.
func readGzip(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	data, err := io.ReadAll(zr)
	require.NoError(t, err)
	return data
}

// decodeInput decodes inputs/name with Decode.
func decodeInput(t testing.TB, name string) image.Image {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir(t), "inputs", name))
	require.NoError(t, err)
	img, err := Decode(data)
	require.NoError(t, err, name)
	return img
}

// requireSamePixels fails with the number and first position of differing
// bytes when got differs from want.
func requireSamePixels(t testing.TB, want []byte, got *RGB, msg string) {
	t.Helper()
	require.Len(t, got.Pix, len(want), msg)
	if bytes.Equal(want, got.Pix) {
		return
	}
	n, first := 0, -1
	for i := range want {
		if want[i] != got.Pix[i] {
			n++
			if first < 0 {
				first = i
			}
		}
	}
	p := first / 3
	t.Fatalf("%s: %d of %d bytes differ from Pillow's; first at pixel (%d, %d) channel %d: got %d, want %d",
		msg, n, len(want), p%got.Width, p/got.Width, first%3, got.Pix[first], want[first])
}
