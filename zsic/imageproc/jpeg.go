package imageproc

import "image"

// libjpeg's YCbCr to RGB tables (jdcolor.c), in 16-bit fixed point.
type yccTables struct {
	crR, cbB, crG, cbG [256]int32
}

func newYCCTables() *yccTables {
	const (
		scaleBits = 16
		half      = 1 << (scaleBits - 1)
	)
	fix := func(x float64) int32 { return int32(x*(1<<scaleBits) + 0.5) }
	t := new(yccTables)
	for i := range 256 {
		x := int32(i - 128)
		t.crR[i] = (fix(1.40200)*x + half) >> scaleBits
		t.cbB[i] = (fix(1.77200)*x + half) >> scaleBits
		t.crG[i] = -fix(0.71414) * x
		t.cbG[i] = -fix(0.34414)*x + half
	}
	return t
}

func clamp8(v int32) uint8 {
	return uint8(min(max(v, 0), 255))
}

// jpegToRGB converts a decoded JPEG's YCbCr planes to RGB as libjpeg(-turbo)
// does by default: "fancy" (triangle-filter) upsampling of 4:2:0, 4:2:2
// and 4:4:0 chroma, then its fixed-point color conversion. Go's own conversion
// replicates chroma samples and rounds differently.
func jpegToRGB(m *image.YCbCr) *RGB {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	out := NewRGB(w, h)
	t := newYCCTables()
	cb := make([]uint8, w+1)
	cr := make([]uint8, w+1)
	cw := (w + 1) / 2 // downsampled chroma width for 4:2:x
	ch := (h + 1) / 2
	for y := range h {
		switch m.SubsampleRatio {
		case image.YCbCrSubsampleRatio420:
			near := y / 2
			far := near - 1
			if y%2 == 1 {
				far = near + 1
			}
			far = min(max(far, 0), ch-1)
			fancyRow2(cb, m.Cb[near*m.CStride:], m.Cb[far*m.CStride:], cw)
			fancyRow2(cr, m.Cr[near*m.CStride:], m.Cr[far*m.CStride:], cw)
		case image.YCbCrSubsampleRatio422:
			fancyRow1(cb, m.Cb[y*m.CStride:], cw)
			fancyRow1(cr, m.Cr[y*m.CStride:], cw)
		case image.YCbCrSubsampleRatio440:
			near := y / 2
			far, bias := near-1, int32(1)
			if y%2 == 1 {
				far, bias = near+1, 2
			}
			far = min(max(far, 0), ch-1)
			fancyCol2(cb, m.Cb[near*m.CStride:], m.Cb[far*m.CStride:], w, bias)
			fancyCol2(cr, m.Cr[near*m.CStride:], m.Cr[far*m.CStride:], w, bias)
		default:
			for x := range w {
				i := m.COffset(b.Min.X+x, b.Min.Y+y)
				cb[x], cr[x] = m.Cb[i], m.Cr[i]
			}
		}
		row := out.Pix[3*y*w : 3*(y+1)*w]
		yrow := m.Y[m.YOffset(b.Min.X, b.Min.Y+y):]
		for x := range w {
			yy := int32(yrow[x])
			row[3*x] = clamp8(yy + t.crR[cr[x]])
			row[3*x+1] = clamp8(yy + (t.cbG[cb[x]]+t.crG[cr[x]])>>16)
			row[3*x+2] = clamp8(yy + t.cbB[cb[x]])
		}
	}
	return out
}

// fancyRow2 is libjpeg's h2v2_fancy_upsample for one output row: each
// chroma sample weighs 3/4 its nearer and 1/4 its farther row, then 3/4
// its nearer and 1/4 its farther column, with libjpeg's alternating
// rounding. It writes 2*n samples (the last may fall past the image).
func fancyRow2(dst, near, far []uint8, n int) {
	sum := func(c int) int32 {
		c = min(c, n-1)
		return 3*int32(near[c]) + int32(far[c])
	}
	if n == 1 {
		dst[0], dst[1] = uint8((sum(0)*4+8)>>4), uint8((sum(0)*4+7)>>4)
		return
	}
	this, next := sum(0), sum(1)
	dst[0] = uint8((this*4 + 8) >> 4)
	dst[1] = uint8((this*3 + next + 7) >> 4)
	last := this
	for c := 1; c < n-1; c++ {
		this, next = next, sum(c+1)
		dst[2*c] = uint8((this*3 + last + 8) >> 4)
		dst[2*c+1] = uint8((this*3 + next + 7) >> 4)
		last = this
	}
	this = next
	dst[2*n-2] = uint8((this*3 + last + 8) >> 4)
	dst[2*n-1] = uint8((this*4 + 7) >> 4)
}

// fancyCol2 is libjpeg-turbo's h1v2_fancy_upsample for one output row of
// n samples: 3/4 the nearer and 1/4 the farther chroma row, with bias 1
// for an upper and 2 for a lower output row.
func fancyCol2(dst, near, far []uint8, n int, bias int32) {
	for c := range n {
		dst[c] = uint8((3*int32(near[c]) + int32(far[c]) + bias) >> 2)
	}
}

// fancyRow1 is libjpeg's h2v1_fancy_upsample: horizontal-only triangle
// upsampling of one chroma row of n samples.
func fancyRow1(dst, in []uint8, n int) {
	if n == 1 {
		dst[0], dst[1] = in[0], in[0]
		return
	}
	dst[0] = in[0]
	dst[1] = uint8((int32(in[0])*3 + int32(in[1]) + 2) >> 2)
	for c := 1; c < n-1; c++ {
		v := int32(in[c]) * 3
		dst[2*c] = uint8((v + int32(in[c-1]) + 1) >> 2)
		dst[2*c+1] = uint8((v + int32(in[c+1]) + 2) >> 2)
	}
	v := int32(in[n-1])
	dst[2*n-2] = uint8((v*3 + int32(in[n-2]) + 1) >> 2)
	dst[2*n-1] = uint8(v)
}
