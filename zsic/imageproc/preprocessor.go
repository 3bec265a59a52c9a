package imageproc

import (
	"fmt"
	"image"
)

// Preprocessor runs one Config's preprocessing again and again, reusing
// what one image leaves behind for the next: the resize coefficients of the
// sizes it has seen, the value table of Tensor, and its RGB, resize and
// crop buffers. Its output is the same, bit for bit, as Config.Preprocess.
// A Preprocessor is not safe for concurrent use; give each goroutine its
// own.
type Preprocessor struct {
	c      Config
	lut    *[3][256]float32
	png    pngDecoder
	dec    RGB // the image Decode decoded, when it decoded it itself
	rgb    RGB // the image converted to RGB
	crop   RGB // the center crop
	resize resizer
}

// NewPreprocessor returns a Preprocessor for c.
func (c Config) NewPreprocessor() *Preprocessor {
	return &Preprocessor{c: c, lut: c.valueTable()}
}

// Decode decodes an image as the package's Decode does, with the same
// result; the plain PNG files most datasets hold it decodes itself,
// straight to RGB into buffers it reuses (allocating only for an image
// larger than the ones before), into an image that is valid until the
// next Decode or Preprocess.
func (p *Preprocessor) Decode(data []byte) (image.Image, error) {
	if p.png.decode(data, &p.dec) {
		return &p.dec, nil
	}
	p.trim() // a damaged large file may have grown them
	return Decode(data)
}

// maxKeptBytes bounds the pixel buffers a Preprocessor keeps between
// images: one huge image is processed, but its buffers are dropped after it
// rather than held for the rest of the run.
const maxKeptBytes = 16 << 20

// Preprocess writes the pixel values of img into dst as Config.Preprocess
// does.
func (p *Preprocessor) Preprocess(img image.Image, dst []float32) error {
	b := img.Bounds()
	h, w := p.c.OutputSizeFor(b.Size())
	if len(dst) != 3*h*w {
		return fmt.Errorf("preprocess %dx%d image: dst holds %d floats, want 3*%d*%d = %d",
			b.Dx(), b.Dy(), len(dst), h, w, 3*h*w)
	}
	rgb, err := p.prepare(img)
	if err != nil {
		return err
	}
	tensor(p.lut, rgb, dst)
	p.trim()
	return nil
}

// prepare is Config.Prepare into p's buffers: the image it returns is valid
// until the next call, and may be img itself when img is an *RGB that
// needs no resize or crop.
func (p *Preprocessor) prepare(img image.Image) (*RGB, error) {
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("preprocess image: empty image %v", b)
	}
	if w, h := p.c.resizeSize(b.Dx(), b.Dy()); int64(w)*int64(h) > MaxPixels {
		return nil, fmt.Errorf("preprocess %dx%d image: resizing it to %dx%d would exceed %d pixels (its aspect ratio is too extreme for a shortest-edge resize)",
			b.Dx(), b.Dy(), w, h, MaxPixels)
	}
	rgb, ok := img.(*RGB)
	if !ok || rgb.check() != nil {
		p.rgb.reset(b.Dx(), b.Dy())
		toRGB(&p.rgb, img)
		rgb = &p.rgb
	}
	w, h := p.c.resizeSize(rgb.Width, rgb.Height)
	if w != rgb.Width || h != rgb.Height {
		if w < 1 || h < 1 {
			return nil, fmt.Errorf("preprocess image: resize %dx%d image to %dx%d: want a positive width and height",
				rgb.Width, rgb.Height, w, h)
		}
		if !p.c.Resample.Valid() {
			return nil, fmt.Errorf("preprocess image: resize with filter %d: want 0 (nearest) to 5 (hamming)", int(p.c.Resample))
		}
		if cw, ch := p.c.CropWidth, p.c.CropHeight; p.c.DoCenterCrop && p.c.Resample != Nearest &&
			w != rgb.Width && h != rgb.Height && cw <= w && ch <= h {
			// Only the pixels the center crop keeps are resampled.
			return p.resize.resizeWindow(rgb, w, h, p.c.Resample, cropOffset(w, cw), cropOffset(h, ch), cw, ch), nil
		}
		rgb = p.resize.resize(rgb, w, h, p.c.Resample)
	}
	if p.c.DoCenterCrop && (p.c.CropWidth != rgb.Width || p.c.CropHeight != rgb.Height) {
		p.crop.reset(p.c.CropWidth, p.c.CropHeight)
		centerCrop(&p.crop, rgb)
		rgb = &p.crop
	}
	return rgb, nil
}

// trim drops buffers grown past maxKeptBytes.
func (p *Preprocessor) trim() {
	for _, m := range []*RGB{&p.dec, &p.rgb, &p.crop, &p.resize.tmp, &p.resize.out} {
		if cap(m.Pix) > maxKeptBytes {
			*m = RGB{}
		}
	}
	if cap(p.resize.acc) > maxKeptBytes/4 {
		p.resize.acc = nil
	}
	if cap(p.png.idat) > maxKeptBytes {
		p.png.idat = nil
	}
}
