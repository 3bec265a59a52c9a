package imageproc

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"io"
	"strconv"
)

// pngDecoder decodes the plain PNG files most datasets hold (8 bits per
// sample; gray, gray and alpha, RGB, RGBA or paletted; not interlaced)
// straight into RGB, reusing its inflater and buffers from one image to
// the next. It claims only files it decodes exactly as Decode does
// (image/png, then the conversion to RGB, which drops alpha): any other
// file, any damage (a bad checksum, a short or long pixel stream, a bad
// filter or palette index) and any chunk that could change the result
// (tRNS, text or EXIF that may carry an orientation) make it decline, and
// Decode then gives the image or the error. A pngDecoder is not safe for
// concurrent use.
type pngDecoder struct {
	zr        io.ReadCloser // a zlib reader, Reset for each image
	src       bytes.Reader  // the image data, for zr
	idat      []byte        // the image data of several IDAT chunks, joined
	cur, prev []byte        // the current and previous unfiltered rows
}

// maxDeflateRatio bounds how many bytes deflate expands one byte of its
// stream to (a 258-byte match in as little as 2 bits: 1032 to 1).
const maxDeflateRatio = 1032

// pngBytesPerPixel gives the bytes per pixel of each 8-bit color type.
var pngBytesPerPixel = [7]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}

// pngMagic opens every PNG file.
const pngMagic = "\x89PNG\r\n\x1a\n"

// decode decodes data into dst and reports whether it could; dst is
// undefined when it could not.
func (d *pngDecoder) decode(data []byte, dst *RGB) bool {
	if len(data) < len(pngMagic) || string(data[:len(pngMagic)]) != pngMagic {
		return false
	}
	var (
		width, height int
		colorType     byte
		palette       []byte
		idat          []byte
		chunks        int // IDAT chunks seen
		idatEnded     bool
	)
	rest := data[len(pngMagic):]
	for first := true; ; first = false {
		if len(rest) < 12 {
			return false // no IEND
		}
		n := binary.BigEndian.Uint32(rest)
		if uint64(n) > uint64(len(rest)-12) {
			return false
		}
		typ, body := string(rest[4:8]), rest[8:8+n]
		if crc32.ChecksumIEEE(rest[4:8+n]) != binary.BigEndian.Uint32(rest[8+n:]) {
			return false
		}
		rest = rest[12+n:]
		if first != (typ == "IHDR") {
			return false
		}
		if chunks > 0 && typ != "IDAT" {
			idatEnded = true
		}
		switch typ {
		case "IHDR":
			if n != 13 {
				return false
			}
			w, h := binary.BigEndian.Uint32(body), binary.BigEndian.Uint32(body[4:])
			if w == 0 || h == 0 || w > 1<<20 || h > 1<<20 || uint64(w)*uint64(h) > MaxPixels ||
				body[8] != 8 || body[10] != 0 || body[11] != 0 || body[12] != 0 {
				return false
			}
			switch body[9] {
			case 0, 2, 3, 4, 6:
			default:
				return false
			}
			width, height, colorType = int(w), int(h), body[9]
		case "PLTE":
			if colorType != 3 || palette != nil || chunks > 0 || n == 0 || n%3 != 0 || n > 3*256 {
				return false
			}
			palette = body
		case "IDAT":
			if idatEnded || (colorType == 3 && palette == nil) {
				return false
			}
			switch chunks++; chunks {
			case 1:
				idat = body
			case 2:
				d.idat = append(append(d.idat[:0], idat...), body...)
				idat = d.idat
			default:
				d.idat = append(d.idat, body...)
				idat = d.idat
			}
		case "IEND":
			return chunks > 0 && d.pixels(idat, width, height, colorType, palette, dst)
		case "tRNS", "eXIf", "tEXt", "zTXt", "iTXt":
			return false
		default:
			if typ[0]&0x20 == 0 {
				return false // an unknown critical chunk
			}
		}
	}
}

// pixels inflates and unfilters idat into dst. It fails unless the zlib
// stream holds exactly the image's rows and ends, with a good checksum,
// where idat does.
func (d *pngDecoder) pixels(idat []byte, width, height int, colorType byte, palette []byte, dst *RGB) bool {
	bpp := pngBytesPerPixel[colorType]
	stride := 1 + width*bpp
	if int64(len(idat))*maxDeflateRatio < int64(height)*int64(stride) {
		return false // too little data for the rows it declares: damaged, and dst stays as it is
	}
	d.src.Reset(idat)
	if d.zr == nil {
		zr, err := zlib.NewReader(&d.src)
		if err != nil {
			return false
		}
		d.zr = zr
	} else if err := d.zr.(zlib.Resetter).Reset(&d.src, nil); err != nil {
		return false
	}
	if cap(d.cur) < stride {
		d.cur, d.prev = make([]byte, stride), make([]byte, stride)
	}
	cur, prev := d.cur[:stride], d.prev[:stride]
	clear(prev)
	dst.reset(width, height)
	for y := range height {
		if _, err := io.ReadFull(d.zr, cur); err != nil {
			return false
		}
		if !unfilter(cur[0], cur[1:], prev[1:], bpp) {
			return false
		}
		if !toRGBRow(dst.Pix[3*y*width:3*(y+1)*width], cur[1:], colorType, palette) {
			return false
		}
		cur, prev = prev, cur
	}
	// The stream must end here, its checksum good, with no data left over.
	var one [1]byte
	if n, err := io.ReadFull(d.zr, one[:]); n != 0 || err != io.EOF || d.src.Len() != 0 {
		return false
	}
	return true
}

// unfilter undoes PNG filter f on row, given the previous row prev (zeros
// for the first), for bpp bytes per pixel. It reports false for an
// unknown filter.
func unfilter(f byte, row, prev []byte, bpp int) bool {
	prev = prev[:len(row)]
	switch f {
	case 0:
	case 1: // Sub
		for i := bpp; i < len(row); i++ {
			row[i] += row[i-bpp]
		}
	case 2: // Up
		for i, p := range prev {
			row[i] += p
		}
	case 3: // Average
		for i := range bpp {
			row[i] += prev[i] / 2
		}
		for i := bpp; i < len(row); i++ {
			row[i] += uint8((int(row[i-bpp]) + int(prev[i])) / 2)
		}
	case 4: // Paeth
		for i := range bpp {
			row[i] += prev[i]
		}
		// The predictor without branches (on noisy images they mispredict):
		// with p = a + b - c, |p-a| = |b-c|, |p-b| = |a-c|, |p-c| = |a+b-2c|;
		// a wins ties, then b.
		for i := bpp; i < len(row); i++ {
			a, b, c := int(row[i-bpp]), int(prev[i]), int(prev[i-bpp])
			pa, pb, pc := abs(b-c), abs(a-c), abs(a+b-2*c)
			pred := c
			if pb <= pc {
				pred = b
			}
			if pa <= min(pb, pc) {
				pred = a
			}
			row[i] += uint8(pred)
		}
	default:
		return false
	}
	return true
}

// abs returns |x|, without a branch.
func abs(x int) int {
	m := x >> (strconv.IntSize - 1)
	return (x ^ m) - m
}

// toRGBRow writes the RGB of a row of PNG samples of colorType to out,
// dropping alpha and looking up palette indices; it reports false for an
// index past the palette's end.
func toRGBRow(out, row []byte, colorType byte, palette []byte) bool {
	switch colorType {
	case 0: // gray
		for x, v := range row {
			out[3*x], out[3*x+1], out[3*x+2] = v, v, v
		}
	case 2: // RGB
		copy(out, row)
	case 3: // paletted
		for x, i := range row {
			j := 3 * int(i)
			if j+3 > len(palette) {
				return false
			}
			copy(out[3*x:3*x+3], palette[j:j+3])
		}
	case 4: // gray and alpha
		for x := range len(out) / 3 {
			v := row[2*x]
			out[3*x], out[3*x+1], out[3*x+2] = v, v, v
		}
	case 6: // RGBA
		dropAlpha(out, row)
	}
	return true
}
