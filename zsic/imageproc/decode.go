package imageproc

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// format is an image file format Decode knows.
type format struct {
	name   string
	match  func(b []byte) bool
	decode func(b []byte) (image.Image, error)
	config func(b []byte) (image.Config, error)
	// orientation returns the file's EXIF orientation (1 to 8, or 0 for
	// none), for the formats whose orientation PIL's exif_transpose reads.
	orientation func(b []byte) int
}

var formats = []format{
	{"PNG", prefix("\x89PNG\r\n\x1a\n"), reader(png.Decode), reader(png.DecodeConfig), pngOrientation},
	{"JPEG", prefix("\xff\xd8\xff"), decodeJPEG, jpegConfig, jpegOrientation},
	{"GIF", func(b []byte) bool { return prefix("GIF87a")(b) || prefix("GIF89a")(b) }, reader(gif.Decode), reader(gif.DecodeConfig), nil},
	{"BMP", prefix("BM"), reader(bmp.Decode), reader(bmp.DecodeConfig), nil},
	{"WebP", func(b []byte) bool { return prefix("RIFF")(b) && len(b) >= 12 && string(b[8:12]) == "WEBP" }, reader(webp.Decode), reader(webp.DecodeConfig), webpOrientation},
	{"TIFF", func(b []byte) bool { return prefix("II*\x00")(b) || prefix("MM\x00*")(b) }, reader(tiff.Decode), reader(tiff.DecodeConfig), tiffOrientation},
}

// reader adapts a decoding function of an io.Reader to one of a []byte.
func reader[T any](f func(io.Reader) (T, error)) func([]byte) (T, error) {
	return func(b []byte) (T, error) { return f(bytes.NewReader(b)) }
}

// MaxPixels is the largest image Decode accepts, Pillow's limit for a
// decompression bomb (twice Image.MAX_IMAGE_PIXELS): a small file that
// claims a huge size is refused before its pixels are allocated.
const MaxPixels = 2 * 89478485

func prefix(p string) func(b []byte) bool {
	return func(b []byte) bool { return bytes.HasPrefix(b, []byte(p)) }
}

// Decode decodes a PNG, JPEG, GIF, BMP, WebP or TIFF image, recognized by
// its leading bytes. Like the image loading of Hugging Face's pipelines
// (PIL's ImageOps.exif_transpose), it applies the EXIF orientation of a
// JPEG, PNG, WebP or TIFF file. JPEG is decoded by libjpeg-turbo, as
// Pillow decodes it, pixel for pixel (see JPEGDecoder; without the library
// Go's decoder comes within a few levels). A GIF's transparent palette
// entry keeps its color, as in PIL, rather than becoming transparent black.
// Decode is safe for concurrent use.
func Decode(data []byte) (image.Image, error) {
	return decode(data, false)
}

// decode is Decode, with goJPEG forcing Go's JPEG decoder (the fallback).
func decode(data []byte, goJPEG bool) (image.Image, error) {
	for _, f := range formats {
		if !f.match(data) {
			continue
		}
		cfg, err := f.config(data)
		if err != nil {
			return nil, fmt.Errorf("decode %s image (%d bytes): %w", f.name, len(data), err)
		}
		if px := int64(cfg.Width) * int64(cfg.Height); px > MaxPixels {
			return nil, fmt.Errorf("decode %s image (%d bytes): %d×%d is %d pixels, over the limit of %d (a decompression bomb?)",
				f.name, len(data), cfg.Width, cfg.Height, px, MaxPixels)
		}
		dec := f.decode
		if goJPEG && f.name == "JPEG" {
			dec = decodeJPEGGo
		}
		img, err := dec(data)
		if err != nil {
			return nil, fmt.Errorf("decode %s image (%d bytes): %w", f.name, len(data), err)
		}
		if f.name == "GIF" {
			restoreGIFTransparent(img, data)
		}
		if f.orientation != nil {
			if o := f.orientation(data); o > 1 {
				img = orient(ToRGB(img), o)
			}
		}
		return img, nil
	}
	// The file's bytes are not shown: it may be any file a list names.
	return nil, fmt.Errorf("decode image (%d bytes): unknown format: want PNG, JPEG, GIF, BMP, WebP or TIFF", len(data))
}

// restoreGIFTransparent gives back the color of the transparent palette
// entry that Go's GIF decoder replaces with transparent black, keeping it
// transparent: PIL's convert("RGB") shows that color.
func restoreGIFTransparent(img image.Image, data []byte) {
	p, ok := img.(*image.Paletted)
	if !ok {
		return
	}
	raw := gifColorTable(data)
	for i, c := range p.Palette {
		if c == (color.RGBA{}) && 3*i+2 < len(raw) {
			p.Palette[i] = color.NRGBA{raw[3*i], raw[3*i+1], raw[3*i+2], 0}
		}
	}
}

// gifColorTable returns the color table of a GIF's first image (its local
// table, else the global one) as packed RGB, or nil if the file is too
// malformed to find it.
func gifColorTable(data []byte) []byte {
	const header = 13 // signature, then the logical screen descriptor
	if len(data) < header {
		return nil
	}
	table := func(flags byte, at int) []byte {
		if flags&0x80 == 0 {
			return nil
		}
		n := 3 << (flags&7 + 1)
		if at+n > len(data) {
			return nil
		}
		return data[at : at+n]
	}
	global := table(data[10], header)
	i := header + len(global)
	for i < len(data) {
		switch data[i] {
		case 0x21: // extension: label, then sub-blocks up to an empty one
			i += 2
			for i < len(data) && data[i] != 0 {
				i += int(data[i]) + 1
			}
			i++
		case 0x2c: // image descriptor
			if i+10 > len(data) {
				return nil
			}
			if local := table(data[i+9], i+10); local != nil {
				return local
			}
			return global
		default:
			return nil
		}
	}
	return nil
}
