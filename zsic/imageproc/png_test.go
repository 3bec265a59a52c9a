package imageproc

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// pngChunk returns a PNG chunk of type typ holding body.
func pngChunk(typ string, body []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	out = append(out, typ...)
	out = append(out, body...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
}

// pngChunks splits a PNG file into its chunks (type and body).
func pngChunks(t testing.TB, data []byte) (types []string, bodies [][]byte) {
	rest := data[len(pngMagic):]
	for len(rest) >= 12 {
		n := binary.BigEndian.Uint32(rest)
		types = append(types, string(rest[4:8]))
		bodies = append(bodies, rest[8:8+n])
		rest = rest[12+n:]
	}
	require.Empty(t, rest)
	return types, bodies
}

// rechunk rebuilds a PNG file from chunks, with edit applied to the list.
func rechunk(types []string, bodies [][]byte) []byte {
	out := []byte(pngMagic)
	for i, typ := range types {
		out = append(out, pngChunk(typ, bodies[i])...)
	}
	return out
}

// noisyImages returns images of every kind image/png writes at 8 bits,
// with noise and smooth gradients so that its encoder picks every filter.
func noisyImages(rng *rand.Rand, w, h int) []image.Image {
	gray := image.NewGray(image.Rect(0, 0, w, h))
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	nrgba := image.NewNRGBA(image.Rect(0, 0, w, h))
	pal := make(color.Palette, 1+rng.IntN(256))
	for i := range pal {
		pal[i] = color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
	}
	paletted := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	for y := range h {
		for x := range w {
			v := uint8(x*7 + y*3)
			if rng.IntN(4) == 0 {
				v = uint8(rng.IntN(256))
			}
			gray.SetGray(x, y, color.Gray{v})
			rgba.SetRGBA(x, y, color.RGBA{v, uint8(x * y), uint8(rng.IntN(256)), 255})
			nrgba.SetNRGBA(x, y, color.NRGBA{v, uint8(255 - x), uint8(y), uint8(rng.IntN(256))})
			paletted.SetColorIndex(x, y, uint8(rng.IntN(len(pal))))
		}
	}
	return []image.Image{gray, rgba, nrgba, paletted}
}

// TestPNGFastPath checks that every PNG the fast path claims decodes to the
// RGB that Decode gives, over every color type and filter image/png
// writes, split image data, and the CIFAR-100 images in the fixtures; and
// that it declines what it must leave to Decode.
func TestPNGFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var files [][]byte
	for _, sz := range [][2]int{{1, 1}, {32, 32}, {33, 17}, {200, 3}} {
		for _, img := range noisyImages(rng, sz[0], sz[1]) {
			var b bytes.Buffer
			require.NoError(t, png.Encode(&b, img))
			files = append(files, b.Bytes())
			// The same image data split over three IDAT chunks.
			types, bodies := pngChunks(t, b.Bytes())
			var st []string
			var sb [][]byte
			for i, typ := range types {
				if typ == "IDAT" && len(bodies[i]) >= 3 {
					n := len(bodies[i])
					st = append(st, "IDAT", "IDAT", "IDAT")
					sb = append(sb, bodies[i][:n/3], bodies[i][n/3:2*n/3], bodies[i][2*n/3:])
					continue
				}
				st, sb = append(st, typ), append(sb, bodies[i])
			}
			files = append(files, rechunk(st, sb))
		}
	}
	var d pngDecoder
	var got RGB
	for i, data := range files {
		require.True(t, d.decode(data, &got), "file %d: the fast path declined a plain PNG", i)
		want, err := Decode(data)
		require.NoError(t, err)
		require.Equal(t, ToRGB(want).Pix, got.Pix, "file %d", i)
	}
	// The fixtures' PNG inputs: CIFAR-100 images, which it must claim, and
	// others (16-bit, oriented, transparent...) that it may leave to Decode.
	pngs, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "imageproc", "inputs", "*.png"))
	require.NoError(t, err)
	require.NotEmpty(t, pngs)
	for _, p := range pngs {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		claimed := d.decode(data, &got)
		if strings.HasPrefix(filepath.Base(p), "cifar_") {
			require.True(t, claimed, p)
		}
		if claimed {
			want, err := Decode(data)
			require.NoError(t, err, p)
			require.Equal(t, ToRGB(want).Pix, got.Pix, p)
		}
	}

	// What the fast path must leave to Decode.
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, noisyImages(rng, 8, 8)[1]))
	plain := b.Bytes()
	types, bodies := pngChunks(t, plain)
	insert := func(typ string, body []byte) []byte { // after IHDR
		return rechunk(append([]string{types[0], typ}, types[1:]...), append([][]byte{bodies[0], body}, bodies[1:]...))
	}
	badCRC := bytes.Clone(plain)
	badCRC[len(badCRC)-13]++ // in the last IDAT's checksum
	ihdr := func(edit func(b []byte)) []byte {
		h := bytes.Clone(bodies[0])
		edit(h)
		return rechunk(append([]string{"IHDR"}, types[1:]...), append([][]byte{h}, bodies[1:]...))
	}
	badAdler := slices.Clone(bodies) // the zlib stream's own checksum, chunk CRCs intact
	last := slices.Index(types, "IEND") - 1
	badAdler[last] = bytes.Clone(bodies[last])
	badAdler[last][len(badAdler[last])-1]++
	for name, data := range map[string][]byte{
		"zlib checksum":  rechunk(types, badAdler),
		"truncated":      plain[:len(plain)-20],
		"bad checksum":   badCRC,
		"no IEND":        plain[:len(plain)-12],
		"tRNS":           insert("tRNS", []byte{0, 1, 0, 2, 0, 3}),
		"eXIf":           insert("eXIf", []byte("MM\x00*\x00\x00\x00\x08")),
		"tEXt":           insert("tEXt", []byte("Comment\x00hi")),
		"critical chunk": insert("ABCD", nil),
		"16-bit":         ihdr(func(h []byte) { h[8] = 16 }),
		"interlaced":     ihdr(func(h []byte) { h[12] = 1 }),
		"not a PNG":      []byte("GIF89a"),
	} {
		require.False(t, d.decode(data, &got), name)
	}
	// A huge declared size over a few bytes of image data is declined
	// before any pixel buffer is sized for it.
	var fresh RGB
	huge := ihdr(func(b []byte) { binary.BigEndian.PutUint32(b, 1<<20); binary.BigEndian.PutUint32(b[4:], 150) })
	require.False(t, d.decode(huge, &fresh))
	require.Zero(t, cap(fresh.Pix), "no buffer for a 1048576×150 image from %d bytes", len(huge))
	// A short or long pixel stream: the image data of another size.
	for _, h := range []byte{7, 9} {
		require.False(t, d.decode(ihdr(func(b []byte) { b[7] = h }), &got), "height %d", h)
	}
}

// FuzzPNGFastPath checks, on any input, that when the fast path claims a
// file, Decode decodes it to the same RGB.
func FuzzPNGFastPath(f *testing.F) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, img := range noisyImages(rng, 5, 4) {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	var d pngDecoder
	f.Fuzz(func(t *testing.T, data []byte) {
		// Mutations nearly always break a chunk's CRC, which ends the fast
		// path at once: try the input also with its CRCs made good, so
		// that mutated headers and image data reach the decoder.
		for _, in := range [][]byte{data, withGoodCRCs(data)} {
			var got RGB
			if !d.decode(in, &got) {
				continue
			}
			want, err := Decode(in)
			require.NoError(t, err, "the fast path decoded what Decode refuses")
			require.Equal(t, ToRGB(want).Pix, got.Pix)
		}
	})
}

// withGoodCRCs returns a copy of a PNG file with each whole chunk's CRC
// recomputed, up to the first chunk that runs past the end.
func withGoodCRCs(data []byte) []byte {
	out := bytes.Clone(data)
	if len(out) < len(pngMagic) {
		return out
	}
	for rest := out[len(pngMagic):]; len(rest) >= 12; {
		n := uint64(binary.BigEndian.Uint32(rest))
		if n > uint64(len(rest)-12) {
			break
		}
		binary.BigEndian.PutUint32(rest[8+n:], crc32.ChecksumIEEE(rest[4:8+n]))
		rest = rest[12+n:]
	}
	return out
}
