package imageproc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzConfigs are the preprocessings FuzzDecodePreprocess runs every image
// through: a CLIP crop, a SigLIP squash and a dynamic-size shortest edge.
var fuzzConfigs = []string{
	`{"size": 16, "crop_size": 16}`,
	`{"image_processor_type": "SiglipImageProcessor", "size": {"height": 12, "width": 20}, "resample": 2}`,
	`{"size": {"shortest_edge": 8}, "do_center_crop": false, "resample": 1}`,
}

// FuzzDecodePreprocess feeds any bytes to Decode and, when they decode,
// through Preprocess: no panic, no image over MaxPixels, and a finite tensor
// of the size OutputSizeFor gives.
func FuzzDecodePreprocess(f *testing.F) {
	for _, name := range []string{"one_1x1.png", "orient_5x3.png", "bw_20x20.png", "tiny_17x5.png", "gray16_30x20.png",
		"pal_trns_40x40.png", "small_lossless_26x19.webp", "gif_trns_48x36.gif", "bmp_41x29.bmp", "jpeg_exif6.jpg", "jpeg_gray.jpg"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "imageproc", "inputs", name))
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Add([]byte("GIF89a\x01\x00\x01\x00"))
	f.Add([]byte{})
	var cfgs []Config
	for _, js := range fuzzConfigs {
		c, err := ParseConfig([]byte(js), "")
		require.NoError(f, err)
		cfgs = append(cfgs, c)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Decode(data)
		if err != nil {
			require.Nil(t, img)
			return
		}
		b := img.Bounds()
		require.LessOrEqual(t, int64(b.Dx())*int64(b.Dy()), int64(MaxPixels))
		if int64(b.Dx())*int64(b.Dy()) > 1<<22 {
			return // decodable but too large to preprocess quickly here
		}
		for _, c := range cfgs {
			h, w := c.OutputSizeFor(b.Size())
			if int64(h)*int64(w) > 1<<22 {
				continue
			}
			dst := make([]float32, 3*h*w)
			if err := c.Preprocess(img, dst); err != nil {
				continue
			}
			for _, v := range dst {
				require.False(t, v != v || v > 1e30 || v < -1e30, "non-finite value %v", v)
			}
		}
	})
}

// FuzzParseConfig feeds any preprocessor_config.json to ParseConfig: no
// panic, and an accepted config has bounded sizes and finite pixel values.
func FuzzParseConfig(f *testing.F) {
	for _, js := range fuzzConfigs {
		f.Add([]byte(js), "")
	}
	matches, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "imageproc", "configs", "*.json"))
	require.NoError(f, err)
	for _, m := range matches {
		data, err := os.ReadFile(m)
		require.NoError(f, err)
		f.Add(data, "clip")
		f.Add(data, "siglip")
	}
	f.Add([]byte(`{"size": 9223372036854775807, "rescale_factor": 1e300, "image_std": [1e-44, 1, 1]}`), "siglip2")
	f.Fuzz(func(t *testing.T, data []byte, model string) {
		c, err := ParseConfig(data, model)
		if err != nil {
			return
		}
		for _, n := range []int{c.ShortestEdge, c.Height, c.Width, c.CropHeight, c.CropWidth} {
			require.LessOrEqual(t, n, MaxSize)
		}
		lut := c.valueTable()
		for ch := range 3 {
			for _, v := range lut[ch] {
				require.False(t, v != v || v > 3.4e38 || v < -3.4e38, "non-finite value %v", v)
			}
		}
		h, w := c.OutputSize()
		require.GreaterOrEqual(t, h, 0)
		require.GreaterOrEqual(t, w, 0)
	})
}
