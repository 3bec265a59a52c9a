package dataset

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zsic/zsic/internal/testenv"
)

// pilImage is a reference entry of testdata/images/pil_rgb.json, made by
// testdata/gen_pil.py with PIL's Image.convert("RGB").
type pilImage struct {
	Mode          string
	Width, Height int
	SHA256        string
}

func loadPIL(t *testing.T) map[string]pilImage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "images", "pil_rgb.json"))
	require.NoError(t, err)
	var ref map[string]pilImage
	require.NoError(t, json.Unmarshal(data, &ref))
	return ref
}

func TestPixelHashMatchesPIL(t *testing.T) {
	ref := loadPIL(t)
	require.Len(t, ref, 11)
	for name, want := range ref {
		t.Run(name, func(t *testing.T) {
			img, err := os.ReadFile(filepath.Join("testdata", "images", name))
			require.NoError(t, err)
			w, h, pix, err := RGBPixels(img)
			require.NoError(t, err)
			require.Equal(t, [2]int{want.Width, want.Height}, [2]int{w, h})
			require.Len(t, pix, w*h*3)
			got, err := PixelHash(img)
			require.NoError(t, err)
			require.Equal(t, want.SHA256, got, "PIL mode %s", want.Mode)
		})
	}
}

func TestPixelHashErrors(t *testing.T) {
	tests := []struct {
		name string
		img  []byte
		want string
	}{
		{"empty", nil, "decode image (0 bytes): unknown format: want PNG, JPEG, GIF, BMP, WebP or TIFF"},
		{"not an image", []byte("hello, world"), "decode image (12 bytes): unknown format: want PNG"},
		{"truncated png", testPNG(t, 1)[:40], "decode PNG image (40 bytes): unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PixelHash(tt.img)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// TestCIFARPixelHashesMatchPIL checks every row of the real CIFAR-100 test
// parquet against PIL's hashes, which gen_pil.py found in the file's bytes
// without a parquet reader: the reader's row order and the RGB conversion
// both agree with the reference.
func TestCIFARPixelHashesMatchPIL(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "cifar100-test-pil.txt"))
	require.NoError(t, err)
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		want = append(want, sc.Text())
	}
	require.NoError(t, sc.Err())

	src, err := Open(testenv.CIFAR100(t), DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	require.Equal(t, len(want), src.Len())
	require.NoError(t, src.Read(allRows(src.Len()), func(s Sample) error {
		h, err := PixelHash(s.Image)
		require.NoError(t, err)
		require.Equal(t, want[s.Row], h[:16], "row %d", s.Row)
		return nil
	}))
}
