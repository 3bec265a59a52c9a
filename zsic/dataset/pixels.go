package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // Register decoders for image.Decode.
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// RGBPixels decodes an encoded image and returns its pixels as RGB bytes,
// row-major (width*height*3), converted the way PIL's Image.convert("RGB")
// does for lossless formats: alpha is dropped, not composited, gray is
// repeated in the three channels, 16-bit gray is clipped to 255 and other
// 16-bit samples keep their high byte. Lossy formats (JPEG) depend on the
// decoder, so their pixels may differ from PIL's by a few levels.
func RGBPixels(img []byte) (width, height int, pix []byte, err error) {
	m, format, err := image.Decode(bytes.NewReader(img))
	if err != nil {
		return 0, 0, nil, fmt.Errorf("decode image (%d bytes): %w", len(img), err)
	}
	b := m.Bounds()
	width, height = b.Dx(), b.Dy()
	if width == 0 || height == 0 {
		return 0, 0, nil, fmt.Errorf("decode %s image: it is empty (%dx%d)", format, width, height)
	}
	pix = make([]byte, 0, width*height*3)
	switch m := m.(type) {
	case *image.NRGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y) : m.PixOffset(b.Max.X-1, y)+4]
			for i := 0; i < len(row); i += 4 {
				pix = append(pix, row[i], row[i+1], row[i+2])
			}
		}
	case *image.Gray:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for _, g := range m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)] {
				pix = append(pix, g, g, g)
			}
		}
	case *image.Paletted:
		pal := make([][3]byte, len(m.Palette))
		for i, c := range m.Palette {
			pal[i] = rgbOf(c)
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for _, i := range m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)] {
				if int(i) >= len(pal) {
					return 0, 0, nil, fmt.Errorf("decode %s image: palette index %d out of range (%d colors)", format, i, len(pal))
				}
				pix = append(pix, pal[i][0], pal[i][1], pal[i][2])
			}
		}
	default:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := rgbOf(m.At(x, y))
				pix = append(pix, c[0], c[1], c[2])
			}
		}
	}
	return width, height, pix, nil
}

// rgbOf returns the 8-bit, non-premultiplied red, green and blue of c.
func rgbOf(c color.Color) [3]byte {
	switch c := c.(type) {
	case color.NRGBA:
		return [3]byte{c.R, c.G, c.B}
	case color.NRGBA64:
		return [3]byte{byte(c.R >> 8), byte(c.G >> 8), byte(c.B >> 8)}
	case color.Gray:
		return [3]byte{c.Y, c.Y, c.Y}
	case color.Gray16:
		// PIL opens 16-bit gray as mode "I" and clips it to 8 bits.
		y := byte(min(c.Y, 255))
		return [3]byte{y, y, y}
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return [3]byte{byte(n.R >> 8), byte(n.G >> 8), byte(n.B >> 8)}
}

// PixelHash decodes an encoded image and returns the lowercase hex SHA-256
// of its RGB pixels (see RGBPixels), so that the same picture has the same
// hash whatever its encoder or file format.
func PixelHash(img []byte) (string, error) {
	_, _, pix, err := RGBPixels(img)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(pix)
	return hex.EncodeToString(sum[:]), nil
}
