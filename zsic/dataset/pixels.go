package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/zsic/zsic/zsic/imageproc"
)

// RGBPixels decodes an encoded image and returns its pixels as RGB bytes,
// row-major (width*height*3), converted as PIL's Image.convert("RGB") does
// (see imageproc.Decode and imageproc.ToRGB). JPEG pixels equal PIL's when
// libjpeg-turbo is loaded (imageproc.JPEGExact), else they may differ by a
// few levels.
func RGBPixels(img []byte) (width, height int, pix []byte, err error) {
	m, err := imageproc.Decode(img)
	if err != nil {
		return 0, 0, nil, err
	}
	rgb := imageproc.ToRGB(m)
	if rgb.Width == 0 || rgb.Height == 0 {
		return 0, 0, nil, fmt.Errorf("decode image: it is empty (%dx%d)", rgb.Width, rgb.Height)
	}
	return rgb.Width, rgb.Height, rgb.Pix, nil
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
