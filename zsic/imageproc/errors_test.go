package imageproc

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "unknown format"},
		{"text", []byte("hello, world"), "decode image (12 bytes): unknown format: want PNG"},
		{"truncated PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "decode PNG image (10 bytes)"},
		{"truncated JPEG", []byte("\xff\xd8\xff\xe0\x00"), "decode JPEG image"},
		{"truncated GIF", []byte("GIF89a\x01"), "decode GIF image"},
		{"truncated WebP", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), "decode WebP image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.data)
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), "hello", "no file bytes in the message")
		})
	}
}

func TestResizeErrors(t *testing.T) {
	ok := NewRGB(4, 3)
	tests := []struct {
		name string
		src  *RGB
		w, h int
		f    Filter
		want string
	}{
		{"nil", nil, 2, 2, Bicubic, "nil RGB image"},
		{"short pix", &RGB{Pix: make([]uint8, 5), Width: 4, Height: 3}, 2, 2, Bicubic, "want positive sizes and 3*width*height bytes"},
		{"zero width", ok, 0, 2, Bicubic, "want a positive width and height"},
		{"bad filter", ok, 2, 2, Filter(9), "filter 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resize(tt.src, tt.w, tt.h, tt.f)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestPreprocessErrors(t *testing.T) {
	c, err := ParseConfig([]byte(`{"size": 8, "crop_size": 8}`), "clip")
	require.NoError(t, err)
	tests := []struct {
		name string
		img  image.Image
		dst  int
		want string
	}{
		{"dst too short", image.NewRGBA(image.Rect(0, 0, 5, 5)), 3*8*8 - 1, "dst holds 191 floats, want 3*8*8 = 192"},
		{"empty image", image.NewRGBA(image.Rect(0, 0, 0, 0)), 3 * 8 * 8, "empty image"},
		{"extreme aspect ratio", image.NewGray(image.Rect(0, 0, 1, 30000000)), 3 * 8 * 8, "would exceed 178956970 pixels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Preprocess(tt.img, make([]float32, tt.dst))
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// TestDecodeBomb checks that a small PNG claiming a huge size is refused
// from its header, before its pixels are allocated.
func TestDecodeBomb(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))))
	data := b.Bytes()
	// IHDR's width and height follow the 8-byte signature, the chunk length and "IHDR".
	binary.BigEndian.PutUint32(data[16:], 100000)
	binary.BigEndian.PutUint32(data[20:], 100000)
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29])) // IHDR's CRC
	_, err := Decode(data)
	require.ErrorContains(t, err, "decode PNG image (")
	require.ErrorContains(t, err, "100000×100000 is 10000000000 pixels, over the limit of 178956970")
}
