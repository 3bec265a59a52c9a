package imageproc

import (
	"image"
)

// OutputSize returns the height and width of the tensor Preprocess writes:
// the crop size, or the resize size when there is no crop. It returns 0, 0
// when that size depends on the image (a shortest-edge resize, or no
// resize, without a crop); OutputSizeFor then gives it.
func (c Config) OutputSize() (height, width int) {
	switch {
	case c.DoCenterCrop:
		return c.CropHeight, c.CropWidth
	case c.DoResize && c.ShortestEdge <= 0:
		return c.Height, c.Width
	}
	return 0, 0
}

// OutputSizeFor returns the height and width of the tensor Preprocess
// writes for an image of the given size (X wide, Y high, as
// image.Rectangle.Size gives it).
func (c Config) OutputSizeFor(size image.Point) (height, width int) {
	if c.DoCenterCrop {
		return c.CropHeight, c.CropWidth
	}
	width, height = c.resizeSize(size.X, size.Y)
	return height, width
}

// resizeSize returns the size an image of the given size is resized to, as
// HF's get_resize_output_image_size computes it (the long side of a
// shortest-edge resize is truncated, not rounded).
func (c Config) resizeSize(imgWidth, imgHeight int) (width, height int) {
	switch {
	case !c.DoResize:
		return imgWidth, imgHeight
	case c.ShortestEdge <= 0:
		return c.Width, c.Height
	}
	short, long := imgWidth, imgHeight
	if short > long {
		short, long = long, short
	}
	newLong := int(float64(c.ShortestEdge*long) / float64(short))
	if imgWidth <= imgHeight {
		return c.ShortestEdge, newLong
	}
	return newLong, c.ShortestEdge
}

// Prepare converts img to RGB, resizes and center crops it: the 8-bit image
// whose pixels Preprocess rescales and normalizes.
func (c Config) Prepare(img image.Image) (*RGB, error) {
	p := Preprocessor{c: c}
	rgb, err := p.prepare(img)
	if err != nil || rgb != img {
		return rgb, err
	}
	return &RGB{Pix: append([]uint8(nil), rgb.Pix...), Width: rgb.Width, Height: rgb.Height}, nil
}

// Preprocess writes the pixel values of img into dst as a float32 CHW
// tensor (channels R, G, B), as the image processor does: Prepare, then
// rescale and normalize. len(dst) must be 3*height*width for the size
// OutputSizeFor gives. To preprocess many images, a Preprocessor
// (NewPreprocessor) gives the same values with fewer allocations.
func (c Config) Preprocess(img image.Image, dst []float32) error {
	return c.NewPreprocessor().Preprocess(img, dst)
}

// Tensor writes the rescaled and normalized pixels of m into dst, which
// must hold 3*m.Width*m.Height floats, in CHW order.
func (c Config) Tensor(m *RGB, dst []float32) {
	tensor(c.valueTable(), m, dst)
}

// tensor writes the pixels of m, looked up in lut, into dst in CHW order.
func tensor(lut *[3][256]float32, m *RGB, dst []float32) {
	plane := m.Width * m.Height
	r, g, b := dst[:plane], dst[plane:2*plane], dst[2*plane:3*plane]
	pix := m.Pix[:3*plane]
	for i := range r {
		px := pix[3*i : 3*i+3 : 3*i+3]
		r[i], g[i], b[i] = lut[0][px[0]], lut[1][px[1]], lut[2][px[2]]
	}
}

// valueTable returns, per channel, the tensor value of each byte value:
// HF's rescale (uint8 to float64, times the factor, to float32) then
// normalize ((v - mean) / std in float32).
func (c Config) valueTable() *[3][256]float32 {
	lut := new([3][256]float32)
	for ch := range 3 {
		for p := range 256 {
			v := float32(p)
			if c.DoRescale {
				v = float32(float64(p) * c.RescaleFactor)
			}
			if c.DoNormalize {
				v = (v - c.Mean[ch]) / c.Std[ch]
			}
			lut[ch][p] = v
		}
	}
	return lut
}

// CenterCrop returns the width×height center of m as HF's center_crop
// takes it: the top-left corner at ((W-width)/2, (H-height)/2) rounded
// down, and, where the crop is larger than the image, the image centered
// (rounding its offset up) on black.
func CenterCrop(m *RGB, width, height int) *RGB {
	if width == m.Width && height == m.Height {
		return m
	}
	out := NewRGB(width, height)
	centerCrop(out, m)
	return out
}

// centerCrop writes the center of m into dst, of the crop's size, as
// CenterCrop takes it.
func centerCrop(dst, m *RGB) {
	width, height := dst.Width, dst.Height
	// Source pixel (x, y) lands at (x-left, y-top) in the crop, where
	// left and top may be negative when the crop pads.
	left := cropOffset(m.Width, width)
	top := cropOffset(m.Height, height)
	if left < 0 || top < 0 {
		clear(dst.Pix)
	}
	x0, x1 := max(left, 0), min(left+width, m.Width)
	for y := max(top, 0); y < min(top+height, m.Height); y++ {
		copy(dst.Pix[dst.offset(x0-left, y-top):], m.Pix[m.offset(x0, y):m.offset(x1, y)])
	}
}

// cropOffset returns where a crop of length crop starts along a side of
// length n: floor((n-crop)/2) when the crop fits, and -ceil((crop-n)/2)
// when it pads, as HF's center_crop places the padded image.
func cropOffset(n, crop int) int {
	if crop <= n {
		return (n - crop) / 2
	}
	return -((crop - n + 1) / 2)
}
