package imageproc

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"io"
	"regexp"
	"strings"
)

// The orientation functions below read what PIL's Image.getexif reads for
// ImageOps.exif_transpose: a JPEG's first APP1 Exif segment; a PNG's eXIf
// chunk, else its "Raw profile type exif" text, else the tiff:Orientation
// of its XMP; a WebP's EXIF chunk; a TIFF's own first IFD.

// jpegOrientation returns the EXIF orientation (1 to 8) of a JPEG file, or
// 0 if it has none.
func jpegOrientation(data []byte) int {
	i := 2 // after SOI
	for i+4 <= len(data) && data[i] == 0xff {
		marker := data[i+1]
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if marker == 0xda || n < 2 || i+2+n > len(data) { // start of scan: no more headers
			return 0
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xe1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return exifOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 0
}

// exifOrientation reads tag 0x0112 of IFD0 in a TIFF-structured EXIF
// block, after an optional "Exif\0\0" prefix.
func exifOrientation(t []byte) int {
	t = bytes.TrimPrefix(t, []byte("Exif\x00\x00"))
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	ifd := int(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return 0
	}
	n := int(bo.Uint16(t[ifd:]))
	for e := ifd + 2; e+12 <= len(t) && n > 0; e, n = e+12, n-1 {
		if bo.Uint16(t[e:]) != 0x0112 || bo.Uint32(t[e+4:]) != 1 {
			continue
		}
		var o int
		switch bo.Uint16(t[e+2:]) {
		case 3: // SHORT
			o = int(bo.Uint16(t[e+8:]))
		case 4: // LONG
			o = int(bo.Uint32(t[e+8:]))
		}
		if o >= 1 && o <= 8 {
			return o
		}
		return 0
	}
	return 0
}

// tiffOrientation returns the Orientation tag of a TIFF file's first IFD.
func tiffOrientation(data []byte) int { return exifOrientation(data) }

// webpOrientation returns the EXIF orientation of a WebP file's EXIF chunk.
func webpOrientation(data []byte) int {
	for i := 12; i+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		if n < 0 || n > len(data)-i-8 {
			return 0
		}
		if string(data[i:i+4]) == "EXIF" {
			return exifOrientation(data[i+8 : i+8+n])
		}
		i += 8 + n + n&1
	}
	return 0
}

// xmpOrientation is the pattern PIL's getexif looks for in a PNG's XMP.
var xmpOrientation = regexp.MustCompile(`tiff:Orientation(="|>)([0-9])`)

// pngOrientation returns the EXIF orientation of a PNG file, read as PIL
// reads it.
func pngOrientation(data []byte) int {
	var exif []byte
	var raw, xmp string
	for i := 8; i+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		if n < 0 || n > len(data)-i-12 {
			break
		}
		typ, body := string(data[i+4:i+8]), data[i+8:i+8+n]
		switch typ {
		case "eXIf":
			if exif == nil {
				exif = body
			}
		case "tEXt", "zTXt", "iTXt":
			switch k, v := pngText(typ, body); k {
			case "Raw profile type exif":
				raw = v
			case "XML:com.adobe.xmp":
				xmp = v
			}
		}
		if typ == "IEND" {
			break
		}
		i += 12 + n
	}
	o := 0
	switch {
	case exif != nil:
		o = exifOrientation(exif)
	case raw != "":
		// PIL drops three lines ("", "exif", the length), then reads hex.
		lines := strings.Split(raw, "\n")
		if len(lines) > 3 {
			b, err := hex.DecodeString(strings.Join(lines[3:], ""))
			if err == nil {
				o = exifOrientation(b)
			}
		}
	}
	if o == 0 && xmp != "" {
		if m := xmpOrientation.FindStringSubmatch(xmp); m != nil {
			o = int(m[2][0] - '0')
		}
	}
	if o > 8 {
		return 0
	}
	return o
}

// pngText returns the keyword and text of a tEXt, zTXt or iTXt chunk, or
// "", "" if it is malformed.
func pngText(typ string, body []byte) (key, text string) {
	k, rest, ok := bytes.Cut(body, []byte{0})
	if !ok {
		return "", ""
	}
	compressed := false
	switch typ {
	case "zTXt":
		if len(rest) < 1 {
			return "", ""
		}
		rest, compressed = rest[1:], true
	case "iTXt":
		if len(rest) < 2 {
			return "", ""
		}
		compressed = rest[0] == 1
		rest = rest[2:]
		for range 2 { // language tag, translated keyword
			if _, rest, ok = bytes.Cut(rest, []byte{0}); !ok {
				return "", ""
			}
		}
	}
	if compressed {
		zr, err := zlib.NewReader(bytes.NewReader(rest))
		if err != nil {
			return "", ""
		}
		// Like PIL's MAX_TEXT_CHUNK, bound what a chunk may inflate to.
		rest, err = io.ReadAll(io.LimitReader(zr, 1<<20))
		if err != nil {
			return "", ""
		}
	}
	return string(k), string(rest)
}

// orient returns m transformed as PIL's ImageOps.exif_transpose does for
// EXIF orientation o (2 to 8); any other o returns m itself.
func orient(m *RGB, o int) *RGB {
	w, h := m.Width, m.Height
	// src maps an output pixel to the source pixel it shows.
	var src func(x, y int) (int, int)
	ow, oh := w, h
	switch o {
	case 2: // FLIP_LEFT_RIGHT
		src = func(x, y int) (int, int) { return w - 1 - x, y }
	case 3: // ROTATE_180
		src = func(x, y int) (int, int) { return w - 1 - x, h - 1 - y }
	case 4: // FLIP_TOP_BOTTOM
		src = func(x, y int) (int, int) { return x, h - 1 - y }
	case 5: // TRANSPOSE
		src = func(x, y int) (int, int) { return y, x }
	case 6: // ROTATE_270 (90° clockwise)
		src = func(x, y int) (int, int) { return y, h - 1 - x }
	case 7: // TRANSVERSE
		src = func(x, y int) (int, int) { return w - 1 - y, h - 1 - x }
	case 8: // ROTATE_90 (90° counter-clockwise)
		src = func(x, y int) (int, int) { return w - 1 - y, x }
	default:
		return m
	}
	if o >= 5 {
		ow, oh = h, w
	}
	out := NewRGB(ow, oh)
	for y := range oh {
		for x := range ow {
			sx, sy := src(x, y)
			copy(out.Pix[out.offset(x, y):out.offset(x, y)+3], m.Pix[m.offset(sx, sy):])
		}
	}
	return out
}
