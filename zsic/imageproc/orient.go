package imageproc

import "encoding/binary"

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

// exifOrientation reads tag 0x0112 of IFD0 in a TIFF-structured EXIF block.
func exifOrientation(t []byte) int {
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
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 { // SHORT
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 0
		}
	}
	return 0
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
