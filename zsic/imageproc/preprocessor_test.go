package imageproc

import (
	"image"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPreprocessorReuse runs every preprocessing case of the parity
// manifest through one Preprocessor per config, twice over in opposite
// orders, so each image follows images of other sizes and formats, and
// requires the same bits as a fresh Config.Preprocess (which
// TestPreprocessParity checks against the reference) and Pillow's resized
// pixels from the reused buffers.
func TestPreprocessorReuse(t *testing.T) {
	m := loadManifest(t)
	require.NotEmpty(t, m.Preprocess)
	pre := map[string]*Preprocessor{}
	cases := slices.Clone(m.Preprocess)
	slices.Reverse(cases)
	cases = append(slices.Clone(m.Preprocess), cases...)
	for _, c := range cases {
		cfg, err := LoadConfig(filepath.Join(fixtureDir(t), "configs", c.Config), c.ModelType)
		require.NoError(t, err)
		p := pre[c.Config]
		if p == nil {
			p = cfg.NewPreprocessor()
			pre[c.Config] = p
		}
		img := decodeInput(t, c.Input)
		b := img.Bounds()
		oh, ow := cfg.OutputSizeFor(b.Size())
		want := make([]float32, 3*oh*ow)
		require.NoError(t, cfg.Preprocess(img, want))
		got := make([]float32, len(want))
		for i := range got {
			got[i] = float32(math.NaN()) // must all be overwritten
		}
		require.NoError(t, p.Preprocess(img, got), "%s/%s", c.Input, c.Config)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s/%s: reused Preprocessor: tensor[%d] = %v, fresh: %v", c.Input, c.Config, i, got[i], want[i])
			}
		}
		rgb, err := p.prepare(img)
		require.NoError(t, err)
		if !cfg.DoCenterCrop {
			requireSamePixels(t, readCase(t, c.Resized), rgb, c.Input+"/"+c.Config+" resized, reused buffers")
		}
	}
}

// TestPreprocessorNearestAndPadding covers the reused buffers that must be
// cleared: nearest resizing (which leaves some pixels black) and a crop
// larger than the image (padded with black), after a bright image has
// filled them.
func TestPreprocessorNearestAndPadding(t *testing.T) {
	white := NewRGB(40, 40)
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	small := NewRGB(10, 6)
	for i := range small.Pix {
		small.Pix[i] = uint8(i)
	}
	for _, cfg := range []Config{
		{DoResize: true, Height: 30, Width: 30, Resample: Nearest},
		{DoCenterCrop: true, CropHeight: 20, CropWidth: 20},
		{DoResize: true, ShortestEdge: 8, Resample: Bilinear, DoCenterCrop: true, CropHeight: 16, CropWidth: 16},
	} {
		p := cfg.NewPreprocessor()
		for _, img := range []image.Image{white, small, white, small} {
			b := img.Bounds()
			h, w := cfg.OutputSizeFor(b.Size())
			want, got := make([]float32, 3*h*w), make([]float32, 3*h*w)
			require.NoError(t, cfg.Preprocess(img, want))
			require.NoError(t, p.Preprocess(img, got))
			require.Equal(t, want, got, "%+v on %dx%d", cfg, b.Dx(), b.Dy())
		}
	}
}

// TestPreprocessorTrim checks that a huge image's buffers are not kept.
func TestPreprocessorTrim(t *testing.T) {
	cfg := Config{DoResize: true, Height: 8, Width: 8, Resample: Bicubic}
	p := cfg.NewPreprocessor()
	big := image.NewGray(image.Rect(0, 0, 3000, 3000))
	require.NoError(t, p.Preprocess(big, make([]float32, 3*8*8)))
	for _, m := range []*RGB{&p.rgb, &p.crop, &p.resize.tmp, &p.resize.out} {
		require.LessOrEqual(t, cap(m.Pix), maxKeptBytes)
	}
}
