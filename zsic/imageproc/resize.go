package imageproc

import (
	"fmt"
	"math"
)

// precisionBits is the number of fraction bits of Pillow's fixed-point
// coefficients for 8-bit images: 32 bits less 8 for the result and 2 for
// the overshoot of filters with negative lobes.
const precisionBits = 32 - 8 - 2

// Resize returns src resized to width×height with filter f, pixel for pixel
// as Pillow's Image.resize((width, height), f) does (no box, no
// reducing_gap): Nearest through Pillow's affine scaling, the other
// filters through its two-pass (horizontal, then vertical) 8-bit
// fixed-point convolution, skipping a pass whose size does not change.
func Resize(src *RGB, width, height int, f Filter) (*RGB, error) {
	if err := src.check(); err != nil {
		return nil, fmt.Errorf("resize: %w", err)
	}
	if width < 1 || height < 1 {
		return nil, fmt.Errorf("resize %dx%d image to %dx%d: want a positive width and height",
			src.Width, src.Height, width, height)
	}
	if !f.Valid() {
		return nil, fmt.Errorf("resize with filter %d: want 0 (nearest) to 5 (hamming)", int(f))
	}
	if width == src.Width && height == src.Height {
		return &RGB{Pix: append([]uint8(nil), src.Pix...), Width: width, Height: height}, nil
	}
	var r resizer
	return r.resize(src, width, height, f), nil
}

// resizer resizes images as Resize does, keeping the coefficients of the
// sizes it has seen and its pixel buffers for the next call: an image it
// returns is valid until that call. The zero value is ready to use; it is
// not safe for concurrent use.
type resizer struct {
	coeffs   map[coeffKey]*coeffs
	tmp, out RGB     // horizontal pass, result
	acc      []int32 // vertical pass accumulators
}

// coeffKey names the coefficients of resampling in pixels to out with f.
type coeffKey struct {
	in, out int
	f       Filter
}

// maxCachedCoeffs bounds how many axis sizes a resizer remembers: a photo
// dataset of many sizes starts over rather than growing without end.
const maxCachedCoeffs = 64

// coeffsFor returns the cached coefficients for resampling in pixels to
// out with f, computing them on first use.
func (r *resizer) coeffsFor(in, out int, f Filter) *coeffs {
	key := coeffKey{in, out, f}
	if c, ok := r.coeffs[key]; ok {
		return c
	}
	if r.coeffs == nil || len(r.coeffs) >= maxCachedCoeffs {
		r.coeffs = make(map[coeffKey]*coeffs)
	}
	k, _ := f.kernel()
	c := precomputeCoeffs(in, out, k)
	r.coeffs[key] = &c
	return &c
}

// resize resizes a valid src to a different width×height with a valid f,
// into r's buffers.
func (r *resizer) resize(src *RGB, width, height int, f Filter) *RGB {
	if f == Nearest {
		r.out.reset(width, height)
		clear(r.out.Pix)
		resizeNearest(src, &r.out)
		return &r.out
	}
	return r.resizeConvolve(src, width, height, f)
}

// resizeWindow is resize with the Pillow filter f (not Nearest) to a
// width×height image of which only the ww×wh window at (x0, y0) is
// computed and returned: the same pixels as resizing then cropping, at the
// cost of the window alone. Both sides must change size.
func (r *resizer) resizeWindow(src *RGB, width, height int, f Filter, x0, y0, ww, wh int) *RGB {
	vert := r.coeffsFor(src.Height, height, f).window(y0, wh)
	first := vert.first[0]
	last := vert.first[wh-1] + vert.count[wh-1]
	r.tmp.reset(ww, last-first)
	resizeHorizontal(&r.tmp, src, first, r.coeffsFor(src.Width, width, f).window(x0, ww))
	r.out.reset(ww, wh)
	if cap(r.acc) < 3*ww {
		r.acc = make([]int32, 3*ww)
	}
	resizeVertical(&r.out, &r.tmp, first, vert, r.acc[:3*ww])
	return &r.out
}

// window returns the coefficients of output pixels i0..i0+n.
func (c *coeffs) window(i0, n int) *coeffs {
	return &coeffs{
		first:   c.first[i0 : i0+n],
		count:   c.count[i0 : i0+n],
		weights: c.weights[i0*c.ksize : (i0+n)*c.ksize],
		ksize:   c.ksize,
	}
}

// reset makes m a width×height image, reusing its pixel buffer when it is
// large enough; the pixels are left as they were.
func (m *RGB) reset(width, height int) {
	n := 3 * width * height
	if cap(m.Pix) < n {
		m.Pix = make([]uint8, n)
	}
	m.Pix, m.Width, m.Height = m.Pix[:n], width, height
}

// coeffs holds, for each output pixel of one axis, the first input pixel
// it reads, how many it reads, and their fixed-point weights.
type coeffs struct {
	first, count []int
	weights      []int32 // ksize weights per output pixel
	ksize        int
}

// weightsOf returns the weights of output pixel i.
func (c *coeffs) weightsOf(i int) []int32 {
	return c.weights[i*c.ksize : i*c.ksize+c.count[i]]
}

// precomputeCoeffs mirrors Pillow's precompute_coeffs followed by
// normalize_coeffs_8bpc for resampling inSize pixels to outSize.
func precomputeCoeffs(inSize, outSize int, k kernel) coeffs {
	scale := float64(inSize) / float64(outSize)
	filterScale := max(scale, 1)
	support := k.support * filterScale
	ksize := int(math.Ceil(support))*2 + 1
	c := coeffs{
		first:   make([]int, outSize),
		count:   make([]int, outSize),
		weights: make([]int32, outSize*ksize),
		ksize:   ksize,
	}
	ss := 1 / filterScale
	w := make([]float64, ksize)
	for i := range outSize {
		center := float64((float64(i) + 0.5) * scale)
		lo := max(int(center-support+0.5), 0)
		hi := min(int(center+support+0.5), inSize)
		n := hi - lo
		var sum float64
		for j := range n {
			w[j] = k.weight(float64(float64(j+lo)-center+0.5) * ss)
			sum += w[j]
		}
		kk := c.weights[i*ksize : (i+1)*ksize]
		for j := range n {
			v := w[j]
			if sum != 0 {
				v /= sum
			}
			if v < 0 {
				kk[j] = int32(float64(v*(1<<precisionBits)) - 0.5)
			} else {
				kk[j] = int32(float64(v*(1<<precisionBits)) + 0.5)
			}
		}
		c.first[i], c.count[i] = lo, n
	}
	return c
}

// clip8 turns a fixed-point sum into a byte, saturating as Pillow's clip8
// lookup table does: without a branch, through clip8Table.
func clip8(v int32) uint8 {
	return clip8Table[(v>>precisionBits+clip8Offset)&(2*clip8Offset-1)]
}

// clip8Offset is the least value an int32 shifted right by precisionBits
// can take, negated.
const clip8Offset = 1 << (31 - precisionBits)

// clip8Table[v+clip8Offset] is v clamped to 0..255, for every value v that
// an int32 shifted right by precisionBits can take: the mask in clip8
// never changes an index.
var clip8Table = func() (t [2 * clip8Offset]uint8) {
	for i := range t {
		t[i] = uint8(min(max(i-clip8Offset, 0), 255))
	}
	return t
}()

// resizeConvolve is Pillow's ImagingResampleInner for an RGB image.
func (r *resizer) resizeConvolve(src *RGB, width, height int, f Filter) *RGB {
	vert := r.coeffsFor(src.Height, height, f)
	img := src
	first := 0
	if width != src.Width {
		// Only rows first..last of the source feed the vertical pass.
		first = vert.first[0]
		last := vert.first[height-1] + vert.count[height-1]
		r.tmp.reset(width, last-first)
		resizeHorizontal(&r.tmp, src, first, r.coeffsFor(src.Width, width, f))
		img = &r.tmp
	}
	if height == src.Height {
		return img
	}
	r.out.reset(img.Width, height)
	if cap(r.acc) < 3*img.Width {
		r.acc = make([]int32, 3*img.Width)
	}
	resizeVertical(&r.out, img, first, vert, r.acc[:3*img.Width])
	return &r.out
}

// resizeHorizontal resamples rows first..first+dst.Height of src to
// dst.Width pixels, into dst.
func resizeHorizontal(dst, src *RGB, first int, c *coeffs) {
	width := dst.Width
	const half = 1 << (precisionBits - 1)
	for y := range dst.Height {
		in := src.Pix[3*(first+y)*src.Width : 3*(first+y+1)*src.Width]
		out := dst.Pix[3*y*width : 3*(y+1)*width]
		for x := range width {
			kk := c.weightsOf(x)
			px := in[3*c.first[x] : 3*(c.first[x]+len(kk))]
			o := out[3*x : 3*x+3 : 3*x+3]
			// Upsampling reads 4 or 5 pixels per output pixel: unrolled,
			// the same integer sums in another order (exact).
			switch len(kk) {
			case 4:
				p, w0, w1, w2, w3 := px[:12:12], kk[0], kk[1], kk[2], kk[3]
				o[0] = clip8(half + int32(p[0])*w0 + int32(p[3])*w1 + int32(p[6])*w2 + int32(p[9])*w3)
				o[1] = clip8(half + int32(p[1])*w0 + int32(p[4])*w1 + int32(p[7])*w2 + int32(p[10])*w3)
				o[2] = clip8(half + int32(p[2])*w0 + int32(p[5])*w1 + int32(p[8])*w2 + int32(p[11])*w3)
				continue
			case 5:
				p, w0, w1, w2, w3, w4 := px[:15:15], kk[0], kk[1], kk[2], kk[3], kk[4]
				o[0] = clip8(half + int32(p[0])*w0 + int32(p[3])*w1 + int32(p[6])*w2 + int32(p[9])*w3 + int32(p[12])*w4)
				o[1] = clip8(half + int32(p[1])*w0 + int32(p[4])*w1 + int32(p[7])*w2 + int32(p[10])*w3 + int32(p[13])*w4)
				o[2] = clip8(half + int32(p[2])*w0 + int32(p[5])*w1 + int32(p[8])*w2 + int32(p[11])*w3 + int32(p[14])*w4)
				continue
			}
			s0, s1, s2 := int32(half), int32(half), int32(half)
			for j, w := range kk {
				p := px[3*j : 3*j+3 : 3*j+3]
				s0 += int32(p[0]) * w
				s1 += int32(p[1]) * w
				s2 += int32(p[2]) * w
			}
			o[0], o[1], o[2] = clip8(s0), clip8(s1), clip8(s2)
		}
	}
}

// resizeVertical resamples the columns of src to dst.Height pixels, into
// dst; row k of src is row first+k of the image c was computed for. acc
// holds 3*src.Width accumulators.
func resizeVertical(dst, src *RGB, first int, c *coeffs, acc []int32) {
	stride := 3 * src.Width
	const half = 1 << (precisionBits - 1)
	for y := range dst.Height {
		top := c.first[y] - first
		ws := c.weightsOf(y)
		out := dst.Pix[y*stride : (y+1)*stride]
		// Upsampling reads 4 or 5 rows per output row: sum them in one
		// pass, the same integer sum in another order (exact).
		switch len(ws) {
		case 4:
			vertical4(out, src.Pix[top*stride:(top+4)*stride], ws)
			continue
		case 5:
			vertical5(out, src.Pix[top*stride:(top+5)*stride], ws)
			continue
		}
		for i := range acc {
			acc[i] = half
		}
		for j, w := range ws {
			row := src.Pix[(top+j)*stride : (top+j+1)*stride]
			acc := acc[:len(row)] // one bounds check for the row
			for i, p := range row {
				acc[i] += int32(p) * w
			}
		}
		out = out[:len(acc)]
		for i, v := range acc {
			out[i] = clip8(v)
		}
	}
}

// vertical4 writes to out the weighted sum of the 4 rows of len(out)
// values in rows, as resizeVertical's general loop would.
func vertical4(out, rows []uint8, ws []int32) {
	n := len(out)
	r0, r1, r2, r3 := rows[:n], rows[n:2*n], rows[2*n:3*n], rows[3*n:4*n]
	w0, w1, w2, w3 := ws[0], ws[1], ws[2], ws[3]
	const half = 1 << (precisionBits - 1)
	for i := range out {
		out[i] = clip8(half + int32(r0[i])*w0 + int32(r1[i])*w1 + int32(r2[i])*w2 + int32(r3[i])*w3)
	}
}

// vertical5 is vertical4 for 5 rows.
func vertical5(out, rows []uint8, ws []int32) {
	n := len(out)
	r0, r1, r2, r3, r4 := rows[:n], rows[n:2*n], rows[2*n:3*n], rows[3*n:4*n], rows[4*n:5*n]
	w0, w1, w2, w3, w4 := ws[0], ws[1], ws[2], ws[3], ws[4]
	const half = 1 << (precisionBits - 1)
	for i := range out {
		out[i] = clip8(half + int32(r0[i])*w0 + int32(r1[i])*w1 + int32(r2[i])*w2 + int32(r3[i])*w3 + int32(r4[i])*w4)
	}
}

// resizeNearest is Pillow's ImagingScaleAffine as Image.resize uses it for
// NEAREST: source positions advance by repeated addition, and output pixels
// whose position falls outside the source stay black: dst must be black
// and sized.
func resizeNearest(src, dst *RGB) {
	width, height := dst.Width, dst.Height
	ax := float64(src.Width) / float64(width)
	ay := float64(src.Height) / float64(height)
	xin := make([]int, width)
	xmin, xmax := width, 0
	xo := ax * 0.5
	for x := range width {
		if xi := coord(xo); xi >= 0 && xi < src.Width {
			xmax = x + 1
			xmin = min(xmin, x)
			xin[x] = xi
		}
		xo += ax
	}
	yo := ay * 0.5
	for y := range height {
		if yi := coord(yo); yi >= 0 && yi < src.Height {
			in := src.Pix[3*yi*src.Width:]
			out := dst.Pix[3*y*width:]
			for x := xmin; x < xmax; x++ {
				copy(out[3*x:3*x+3], in[3*xin[x]:3*xin[x]+3])
			}
		}
		yo += ay
	}
}

// coord is Pillow's COORD macro: -1 for negative positions, else the
// position truncated.
func coord(v float64) int {
	if v < 0 {
		return -1
	}
	return int(v)
}
