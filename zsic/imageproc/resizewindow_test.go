package imageproc

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestResizeWindow checks that resampling only a window of the output
// gives the pixels of resizing the whole image and cropping it.
func TestResizeWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := NewRGB(97, 61)
	for i := range src.Pix {
		src.Pix[i] = uint8(rng.IntN(256))
	}
	tests := []struct{ w, h, x0, y0, ww, wh int }{
		{40, 30, 5, 3, 30, 24},      // down
		{300, 200, 37, 0, 224, 200}, // up
		{64, 64, 0, 0, 64, 64},      // the whole image
		{50, 120, 0, 48, 50, 24},    // down across, up along
		{96, 60, 95, 59, 1, 1},      // one pixel, a corner
	}
	for _, f := range []Filter{Box, Bilinear, Hamming, Bicubic, Lanczos} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%v/%dx%d@%d,%d", f, tt.ww, tt.wh, tt.x0, tt.y0), func(t *testing.T) {
				full, err := Resize(src, tt.w, tt.h, f)
				require.NoError(t, err)
				want := NewRGB(tt.ww, tt.wh)
				for y := range tt.wh {
					copy(want.Pix[want.offset(0, y):], full.Pix[full.offset(tt.x0, tt.y0+y):full.offset(tt.x0+tt.ww, tt.y0+y)])
				}
				var r resizer
				got := r.resizeWindow(src, tt.w, tt.h, f, tt.x0, tt.y0, tt.ww, tt.wh)
				requireSamePixels(t, want.Pix, got, "window")
			})
		}
	}
}
