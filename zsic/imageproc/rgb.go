package imageproc

import (
	"fmt"
	"image"
	"image/color"
)

// RGB is an 8-bit RGB image, packed row by row with no padding: the pixel
// at (x, y) is Pix[3*(y*Width+x) : 3*(y*Width+x)+3]. It is the image that
// PIL holds in mode "RGB".
type RGB struct {
	Pix           []uint8
	Width, Height int
}

// NewRGB returns a black width×height image.
func NewRGB(width, height int) *RGB {
	return &RGB{Pix: make([]uint8, 3*width*height), Width: width, Height: height}
}

// ColorModel implements image.Image.
func (m *RGB) ColorModel() color.Model { return color.RGBAModel }

// Bounds implements image.Image.
func (m *RGB) Bounds() image.Rectangle { return image.Rect(0, 0, m.Width, m.Height) }

// At implements image.Image.
func (m *RGB) At(x, y int) color.Color {
	if x < 0 || y < 0 || x >= m.Width || y >= m.Height {
		return color.RGBA{}
	}
	i := 3 * (y*m.Width + x)
	return color.RGBA{m.Pix[i], m.Pix[i+1], m.Pix[i+2], 0xff}
}

// check reports whether m's fields are consistent.
func (m *RGB) check() error {
	if m == nil {
		return fmt.Errorf("nil RGB image")
	}
	if m.Width < 1 || m.Height < 1 || len(m.Pix) != 3*m.Width*m.Height {
		return fmt.Errorf("RGB image %dx%d with %d bytes: want positive sizes and 3*width*height bytes",
			m.Width, m.Height, len(m.Pix))
	}
	return nil
}

// ToRGB converts img to 8-bit RGB as PIL's Image.convert("RGB") does for
// the image PIL would have decoded: gray is replicated, alpha is dropped
// without compositing (the color under a transparent pixel is kept), a
// palette is looked up ignoring its transparency, 16-bit channels keep their
// high byte, and 16-bit gray (PIL mode "I") is clipped to 0..255.
func ToRGB(img image.Image) *RGB {
	b := img.Bounds()
	dst := NewRGB(b.Dx(), b.Dy())
	toRGB(dst, img)
	return dst
}

// toRGB is ToRGB into dst, which has img's size.
func toRGB(dst *RGB, img image.Image) {
	b := img.Bounds()
	rowFn := rowConverter(img)
	w := b.Dx()
	for y := 0; y < b.Dy(); y++ {
		rowFn(dst.Pix[3*y*w:3*(y+1)*w], b.Min.X, b.Min.Y+y)
	}
}

// rowConverter returns a function that writes the RGB values of the
// len(row)/3 pixels of img starting at (x0, y).
func rowConverter(img image.Image) func(row []uint8, x0, y int) {
	switch m := img.(type) {
	case *RGB:
		return func(row []uint8, x0, y int) {
			copy(row, m.Pix[m.offset(x0, y):])
		}
	case *image.NRGBA:
		return func(row []uint8, x0, y int) {
			dropAlpha(row, m.Pix[m.PixOffset(x0, y):])
		}
	case *image.RGBA:
		return func(row []uint8, x0, y int) {
			src := m.Pix[m.PixOffset(x0, y):]
			for x := 0; x < len(row)/3; x++ {
				if src[4*x+3] == 0xff {
					row[3*x], row[3*x+1], row[3*x+2] = src[4*x], src[4*x+1], src[4*x+2]
					continue
				}
				c := color.RGBA{src[4*x], src[4*x+1], src[4*x+2], src[4*x+3]}
				row[3*x], row[3*x+1], row[3*x+2] = straightRGB(c)
			}
		}
	case *image.Gray:
		return func(row []uint8, x0, y int) {
			src := m.Pix[m.PixOffset(x0, y):]
			for x := 0; x < len(row)/3; x++ {
				v := src[x]
				row[3*x], row[3*x+1], row[3*x+2] = v, v, v
			}
		}
	case *image.Paletted:
		pal := paletteRGB(m.Palette)
		return func(row []uint8, x0, y int) {
			src := m.Pix[m.PixOffset(x0, y):]
			for x := 0; x < len(row)/3; x++ {
				c := pal[src[x]]
				row[3*x], row[3*x+1], row[3*x+2] = c[0], c[1], c[2]
			}
		}
	}
	return func(row []uint8, x0, y int) {
		for x := 0; x < len(row)/3; x++ {
			row[3*x], row[3*x+1], row[3*x+2] = straightRGB(img.At(x0+x, y))
		}
	}
}

// offset returns the index in Pix of the first byte of pixel (x, y).
func (m *RGB) offset(x, y int) int { return 3 * (y*m.Width + x) }

// dropAlpha copies len(row)/3 RGBA pixels from src into row, dropping alpha.
func dropAlpha(row, src []uint8) {
	for x := 0; x < len(row)/3; x++ {
		row[3*x], row[3*x+1], row[3*x+2] = src[4*x], src[4*x+1], src[4*x+2]
	}
}

// paletteRGB returns the straight (not premultiplied) RGB of each of the
// 256 possible indices; those past the palette's end read as black, as in
// PIL.
func paletteRGB(p color.Palette) *[256][3]uint8 {
	out := new([256][3]uint8)
	for i, c := range p[:min(len(p), 256)] {
		r, g, b := straightRGB(c)
		out[i] = [3]uint8{r, g, b}
	}
	return out
}

// straightRGB returns the high bytes of c's non-premultiplied red, green
// and blue.
func straightRGB(c color.Color) (r, g, b uint8) {
	switch c := c.(type) {
	case color.RGBA:
		if c.A == 0xff {
			return c.R, c.G, c.B
		}
	case color.NRGBA:
		return c.R, c.G, c.B
	case color.NRGBA64:
		return uint8(c.R >> 8), uint8(c.G >> 8), uint8(c.B >> 8)
	case color.Gray16:
		v := uint8(min(c.Y, 0xff))
		return v, v, v
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8)
}
