package htmlreport

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"golang.org/x/image/draw"

	"github.com/zsic/zsic/zsic/imageproc"
)

// ThumbSize is the longest side of a gallery thumbnail, in pixels; smaller
// images are kept as they are and enlarged by the page.
const ThumbSize = 128

// Thumbnail decodes an encoded image (any format zsic reads, EXIF
// orientation applied) and returns it as a PNG at most ThumbSize pixels on
// its longest side.
func Thumbnail(data []byte) ([]byte, error) {
	img, err := imageproc.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	b := img.Bounds()
	if w, h := b.Dx(), b.Dy(); w > ThumbSize || h > ThumbSize {
		tw, th := ThumbSize, ThumbSize
		if w > h {
			th = max(1, h*ThumbSize/w)
		} else {
			tw = max(1, w*ThumbSize/h)
		}
		dst := image.NewRGBA(image.Rect(0, 0, tw, th))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
		img = dst
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	return out.Bytes(), nil
}
