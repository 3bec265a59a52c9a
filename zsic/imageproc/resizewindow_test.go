package imageproc

import (
	"fmt"
	"math"
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

// TestResizeVertical checks the vertical pass, whose 4- and 5-row cases
// sum in their own order, against a plain sum in int64 of every output
// value, for filters and sizes that read 1 to 13 rows per output row.
func TestResizeVertical(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, f := range []Filter{Bilinear, Hamming, Bicubic, Lanczos} {
		for _, sz := range [][2]int{{32, 224}, {32, 64}, {61, 97}, {97, 40}, {300, 64}, {7, 5}} {
			in, out := sz[0], sz[1]
			k, _ := f.kernel()
			c := precomputeCoeffs(in, out, k)
			src := NewRGB(9, in)
			for i := range src.Pix {
				src.Pix[i] = uint8(rng.IntN(256))
			}
			dst := NewRGB(9, out)
			resizeVertical(dst, src, 0, &c, make([]int32, 3*9))
			stride := 3 * 9
			for y := range out {
				for i := range stride {
					s := int64(1 << (precisionBits - 1))
					for j, w := range c.weightsOf(y) {
						s += int64(src.Pix[(c.first[y]+j)*stride+i]) * int64(w)
					}
					want := uint8(min(max(s>>precisionBits, 0), 255))
					require.Equal(t, want, dst.Pix[y*stride+i], "filter %d, %d→%d rows, row %d (%d taps), value %d", f, in, out, y, c.count[y], i)
				}
			}
		}
	}
}

// TestClip8 checks the table behind clip8 over the whole int32 range.
func TestClip8(t *testing.T) {
	for _, v := range []int32{math.MinInt32, math.MinInt32 + 1, -1 << 22, -1, 0, 1, 1<<22 - 1, 1 << 22, 255 << 22, 255<<22 + 1<<21, 256 << 22, math.MaxInt32} {
		want := uint8(min(max(v>>precisionBits, 0), 255))
		require.Equal(t, want, clip8(v), "%d", v)
	}
	for i := range 1 << 16 {
		v := int32(uint32(i) << 16)
		require.Equal(t, uint8(min(max(v>>precisionBits, 0), 255)), clip8(v), "%d", v)
	}
}
