package imageproc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log"
	"strings"
	"sync"
)

// turboEnv names the environment variable that gives libturbojpeg's file,
// or "off" to decode JPEG with Go's image/jpeg.
const turboEnv = "ZSIC_TURBOJPEG"

// ApproximateJPEGNotice is the notice Decode logs, once per process, the
// first time it decodes a JPEG without libjpeg-turbo.
const ApproximateJPEGNotice = "JPEG parity is approximate"

// JPEGDecoder names the JPEG decoder Decode uses, for a report's
// provenance: "libjpeg-turbo (FILE)", whose pixels equal Pillow's, or
// "Go image/jpeg (JPEG parity is approximate: REASON)". It loads
// libturbojpeg if that has not happened yet.
func JPEGDecoder() string {
	name, err := turboDecoder()
	if err != nil {
		return fmt.Sprintf("Go image/jpeg (%s: %v)", ApproximateJPEGNotice, err)
	}
	return name
}

// JPEGExact reports whether Decode decodes JPEG with libjpeg-turbo, as
// Pillow does, pixel for pixel.
func JPEGExact() bool {
	_, err := turboDecoder()
	return err == nil
}

// approxNotice logs ApproximateJPEGNotice once.
var approxNotice sync.Once

// jpegHeader is what a JPEG's frame header (SOFn) says.
type jpegHeader struct {
	width, height, components int
}

// errTruncated is wrapped by the error for a JPEG whose data ends early.
var errTruncated = errors.New("truncated file (Pillow raises \"image file is truncated\")")

// isTruncation reports whether a libjpeg warning says that the data ended
// early (JWRN_JPEG_EOF).
func isTruncation(msg string) bool {
	return strings.Contains(msg, "Premature end of JPEG file")
}

// parseJPEGHeader reads the frame header of a JPEG file: its size and
// number of components.
func parseJPEGHeader(data []byte) (jpegHeader, error) {
	i := 2 // after SOI
	for {
		// Markers may be preceded by any number of 0xff fill bytes.
		for i+1 < len(data) && data[i] == 0xff && data[i+1] == 0xff {
			i++
		}
		if i+4 > len(data) {
			return jpegHeader{}, fmt.Errorf("no frame header: %w", errTruncated)
		}
		if data[i] != 0xff {
			return jpegHeader{}, fmt.Errorf("byte %d is %#02x, want a marker (0xff) before the frame header", i, data[i])
		}
		marker := data[i+1]
		if marker == 0x01 || marker >= 0xd0 && marker <= 0xd7 { // TEM, RSTn: no length
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 {
			return jpegHeader{}, fmt.Errorf("marker %#02x at byte %d has length %d, want at least 2", marker, i, n)
		}
		switch marker {
		case 0xd9, 0xda:
			return jpegHeader{}, fmt.Errorf("marker %#02x at byte %d before any frame header", marker, i)
		case 0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf:
			if i+10 > len(data) || n < 8 {
				return jpegHeader{}, fmt.Errorf("frame header: %w", errTruncated)
			}
			h := jpegHeader{
				height:     int(binary.BigEndian.Uint16(data[i+5:])),
				width:      int(binary.BigEndian.Uint16(data[i+7:])),
				components: int(data[i+9]),
			}
			if h.width == 0 || h.height == 0 {
				return h, fmt.Errorf("frame header gives size %d×%d, want both positive", h.width, h.height)
			}
			if h.components != 1 && h.components != 3 && h.components != 4 {
				return h, fmt.Errorf("%d components, want 1 (gray), 3 (color) or 4 (CMYK)", h.components)
			}
			return h, nil
		}
		i += 2 + n
	}
}

// jpegConfig is the JPEG entry's config function of Decode.
func jpegConfig(data []byte) (image.Config, error) {
	h, err := parseJPEGHeader(data)
	if err != nil {
		return image.Config{}, err
	}
	m := color.Model(color.RGBAModel)
	switch h.components {
	case 1:
		m = color.GrayModel
	case 4:
		m = color.CMYKModel
	}
	return image.Config{ColorModel: m, Width: h.width, Height: h.height}, nil
}

// decodeJPEG decodes a JPEG as Pillow's Image.open does, with the same
// library (libjpeg-turbo, accurate integer IDCT, fancy upsampling): an
// *image.Gray for a grayscale file, else an *RGB holding what
// convert("RGB") gives (for CMYK and YCCK, Pillow's Adobe-inverted CMYK
// converted by its cmyk2rgb). Without libjpeg-turbo it decodes with Go's
// image/jpeg, whose pixels differ from Pillow's by a few levels, and logs
// ApproximateJPEGNotice once.
func decodeJPEG(data []byte) (image.Image, error) {
	hdr, err := parseJPEGHeader(data)
	if err != nil {
		return nil, err
	}
	if _, err := turboDecoder(); err != nil {
		approxNotice.Do(func() {
			log.Printf("zsic: %s: decoding with Go's image/jpeg, within a few levels of Pillow (%v)", ApproximateJPEGNotice, err)
		})
		return decodeJPEGGo(data)
	}
	pix, err := turboDecode(data, hdr)
	if err != nil {
		return nil, err
	}
	w, h := hdr.width, hdr.height
	switch hdr.components {
	case 1:
		return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
	case 4:
		// Pillow reads CMYK JPEGs as Adobe writes them, inverted ("CMYK;I").
		for i := range pix {
			pix[i] = 255 - pix[i]
		}
		return cmykToRGB(pix, w, h), nil
	}
	return &RGB{Pix: pix, Width: w, Height: h}, nil
}

// decodeJPEGGo is the fallback: Go's image/jpeg, then libjpeg's fancy
// upsampling and color conversion (jpegToRGB) or Pillow's CMYK conversion.
func decodeJPEGGo(data []byte) (image.Image, error) {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	switch m := img.(type) {
	case *image.YCbCr:
		return jpegToRGB(m), nil
	case *image.CMYK:
		// Go's CMYK is not inverted (it undoes Adobe's inversion).
		b := m.Bounds()
		pix := make([]byte, 4*b.Dx()*b.Dy())
		for y := range b.Dy() {
			copy(pix[4*b.Dx()*y:4*b.Dx()*(y+1)], m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):])
		}
		return cmykToRGB(pix, b.Dx(), b.Dy()), nil
	}
	return img, nil
}

// cmykToRGB converts packed CMYK (0 = no ink) to RGB as Pillow's
// convert("RGB") does (Convert.c's cmyk2rgb).
func cmykToRGB(pix []byte, w, h int) *RGB {
	out := NewRGB(w, h)
	for i := range w * h {
		c := pix[4*i : 4*i+4 : 4*i+4]
		nk := 255 - int32(c[3])
		for ch := range 3 {
			out.Pix[3*i+ch] = clamp8(nk - mulDiv255(int32(c[ch]), nk))
		}
	}
	return out
}

// mulDiv255 is Pillow's MULDIV255: a*b/255, rounded.
func mulDiv255(a, b int32) int32 {
	t := a*b + 128
	return ((t >> 8) + t) >> 8
}
