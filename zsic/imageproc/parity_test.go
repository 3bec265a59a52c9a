package imageproc

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDecodeParity checks that Decode then ToRGB gives, for every lossless
// input, the pixels of PIL's Image.open(...).convert("RGB").
func TestDecodeParity(t *testing.T) {
	m := loadManifest(t)
	require.NotEmpty(t, m.Decode)
	for _, c := range m.Decode {
		t.Run(c.Input, func(t *testing.T) {
			rgb := ToRGB(decodeInput(t, c.Input))
			require.Equal(t, [2]int{c.Width, c.Height}, [2]int{rgb.Width, rgb.Height})
			sum := sha256.Sum256(rgb.Pix)
			require.Equal(t, c.SHA256, hex.EncodeToString(sum[:]), "RGB pixels of %s (PIL mode %s)", c.Input, c.Mode)
		})
	}
}

// TestResizeParity checks Resize against Pillow's Image.resize for every
// filter, down and up, in one or both directions.
func TestResizeParity(t *testing.T) {
	m := loadManifest(t)
	require.NotEmpty(t, m.Resize)
	for _, c := range m.Resize {
		name := fmt.Sprintf("%s/%dx%d/%s", c.Input, c.Width, c.Height, Filter(c.Filter))
		t.Run(name, func(t *testing.T) {
			src := ToRGB(decodeInput(t, c.Input))
			got, err := Resize(src, c.Width, c.Height, Filter(c.Filter))
			require.NoError(t, err)
			require.Equal(t, [2]int{c.Width, c.Height}, [2]int{got.Width, got.Height})
			requireSamePixels(t, readCase(t, c.Output), got, name)
		})
	}
}

// TestPreprocessParity runs each config of fixtures/imageproc/configs on
// its images and checks the 8-bit resized image against Pillow's, byte for
// byte, and the tensor against transformers' numpy math, within 1e-6.
func TestPreprocessParity(t *testing.T) {
	m := loadManifest(t)
	require.GreaterOrEqual(t, len(m.Preprocess), 30)
	var worst float64
	for _, c := range m.Preprocess {
		t.Run(c.Input+"/"+c.Config, func(t *testing.T) {
			cfg, err := LoadConfig(filepath.Join(fixtureDir(t), "configs", c.Config), c.ModelType)
			require.NoError(t, err)
			img := decodeInput(t, c.Input)
			rgb := ToRGB(img)

			w, h := cfg.resizeSize(rgb.Width, rgb.Height)
			require.Equal(t, [2]int{c.ResizedWidth, c.ResizedHeight}, [2]int{w, h}, "resize size")
			resized, err := Resize(rgb, w, h, cfg.Resample)
			require.NoError(t, err)
			requireSamePixels(t, readCase(t, c.Resized), resized, "resized image")

			oh, ow := cfg.OutputSizeFor(image.Pt(rgb.Width, rgb.Height))
			require.Equal(t, c.TensorShape, []int{3, oh, ow}, "tensor shape")
			got := make([]float32, 3*oh*ow)
			require.NoError(t, cfg.Preprocess(img, got))
			want := readCase(t, c.Tensor)
			require.Len(t, want, 4*len(got))
			for i, g := range got {
				wv := math.Float32frombits(binary.LittleEndian.Uint32(want[4*i:]))
				d := math.Abs(float64(g) - float64(wv))
				worst = max(worst, d)
				if d > 1e-6 {
					t.Fatalf("tensor[%d] (channel %d) = %v, want %v (|diff| %g > 1e-6)", i, i/(oh*ow), g, wv, d)
				}
			}
		})
	}
	t.Logf("largest |tensor - reference| over %d cases: %g", len(m.Preprocess), worst)
}

// TestOrientParity checks orient against PIL's ImageOps.exif_transpose for
// all eight EXIF orientations.
func TestOrientParity(t *testing.T) {
	m := loadManifest(t)
	require.Len(t, m.Orient, 8)
	src := ToRGB(decodeInput(t, "orient_5x3.png"))
	for _, c := range m.Orient {
		t.Run(fmt.Sprint(c.Orientation), func(t *testing.T) {
			got := orient(src, c.Orientation)
			require.Equal(t, [2]int{c.Width, c.Height}, [2]int{got.Width, got.Height})
			sum := sha256.Sum256(got.Pix)
			require.Equal(t, c.SHA256, hex.EncodeToString(sum[:]))
		})
	}
}

// TestJPEGDecoderDifference measures how far Go's JPEG decoder (the
// fallback without libjpeg-turbo, with jpegToRGB's libjpeg-style chroma
// upsampling and color conversion) lands from PIL's libjpeg-turbo decode,
// against PIL's pixels, so that it runs without libjpeg-turbo too. They are not bit-identical, because the
// two inverse DCTs round differently; the bounds are the measured ones,
// rounded up, recorded in fixtures/imageproc/README.md.
func TestJPEGDecoderDifference(t *testing.T) {
	// Measured with Pillow 9.4 (libjpeg-turbo): color max 3, mean <= 0.054;
	// gray max 1, mean 0.021.
	color := struct{ max, mean float64 }{3, 0.06}
	bounds := map[string]struct{ max, mean float64 }{
		"jpeg_420_q90.jpg":       color,
		"jpeg_444_q95.jpg":       color,
		"jpeg_422_q90.jpg":       color,
		"jpeg_420_odd_75x51.jpg": color,
		"jpeg_progressive.jpg":   color,
		"jpeg_exif6.jpg":         color,
		"jpeg_gray.jpg":          {1, 0.03},
	}
	m := loadManifest(t)
	require.Len(t, m.JPEG, len(bounds))
	for _, c := range m.JPEG {
		t.Run(c.Input, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(fixtureDir(t), "inputs", c.Input))
			require.NoError(t, err)
			img, err := decode(data, true)
			require.NoError(t, err)
			got := ToRGB(img)
			require.Equal(t, [2]int{c.Width, c.Height}, [2]int{got.Width, got.Height}, "size after EXIF orientation")
			want := readCase(t, c.PILRGB)
			require.Len(t, want, len(got.Pix))
			maxDiff, sum := 0.0, 0.0
			for i := range want {
				d := math.Abs(float64(got.Pix[i]) - float64(want[i]))
				maxDiff = max(maxDiff, d)
				sum += d
			}
			mean := sum / float64(len(want))
			t.Logf("%s: Go vs libjpeg: max |diff| %v, mean |diff| %.4f", c.Input, maxDiff, mean)
			b := bounds[c.Input]
			require.LessOrEqual(t, maxDiff, b.max)
			require.LessOrEqual(t, mean, b.mean)
		})
	}
}
