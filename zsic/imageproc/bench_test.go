package imageproc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkPreprocess runs the CLIP pipeline (bicubic shortest edge 224,
// crop 224, normalize) on a 32×32 CIFAR image.
func BenchmarkPreprocess(b *testing.B) {
	c, err := LoadConfig(filepath.Join(fixtureDir(b), "configs", "clip224.json"), ModelCLIP)
	require.NoError(b, err)
	data, err := os.ReadFile(filepath.Join(fixtureDir(b), "inputs", "cifar_0.png"))
	require.NoError(b, err)
	img, err := Decode(data)
	require.NoError(b, err)
	dst := make([]float32, 3*224*224)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Preprocess(img, dst); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPreprocessor is BenchmarkPreprocess through one reused
// Preprocessor, as each worker of an evaluation runs it.
func BenchmarkPreprocessor(b *testing.B) {
	c, err := LoadConfig(filepath.Join(fixtureDir(b), "configs", "clip224.json"), ModelCLIP)
	require.NoError(b, err)
	data, err := os.ReadFile(filepath.Join(fixtureDir(b), "inputs", "cifar_0.png"))
	require.NoError(b, err)
	img, err := Decode(data)
	require.NoError(b, err)
	dst := make([]float32, 3*224*224)
	p := c.NewPreprocessor()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Preprocess(img, dst); err != nil {
			b.Fatal(err)
		}
	}
}

// benchJPEG is the 640×480 4:2:0 photo of scripts/bench_jpeg.py.
const benchJPEG = "size_640x480_q85.jpg"

// BenchmarkJPEGDecode decodes a 640×480 4:2:0 JPEG to RGB, what Pillow's
// Image.open(...).convert("RGB") does (scripts/bench_jpeg.py compares).
func BenchmarkJPEGDecode(b *testing.B) {
	data := readJPEGInput(b, benchJPEG)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		img, err := Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		_ = ToRGB(img)
	}
}

// BenchmarkJPEGCLIP224 decodes a 640×480 4:2:0 JPEG and preprocesses it to
// a CLIP 224 tensor through a reused Preprocessor, as each worker of an
// evaluation does: what Pillow + HF's numpy math do.
func BenchmarkJPEGCLIP224(b *testing.B) {
	c, err := LoadConfig(filepath.Join(jpegFixtureDir(b), "configs", "clip224.json"), ModelCLIP)
	require.NoError(b, err)
	data := readJPEGInput(b, benchJPEG)
	dst := make([]float32, 3*224*224)
	p := c.NewPreprocessor()
	for b.Loop() {
		img, err := Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Preprocess(img, dst); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPNGDecode decodes a 32×32 CIFAR PNG through a reused
// Preprocessor (its RGB fast path), as each worker of an evaluation does.
func BenchmarkPNGDecode(b *testing.B) {
	c, err := LoadConfig(filepath.Join(fixtureDir(b), "configs", "clip224.json"), ModelCLIP)
	require.NoError(b, err)
	data, err := os.ReadFile(filepath.Join(fixtureDir(b), "inputs", "cifar_0.png"))
	require.NoError(b, err)
	p := c.NewPreprocessor()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTensor converts a 224×224 RGB image to the normalized CHW
// tensor, the last step of every Preprocess.
func BenchmarkTensor(b *testing.B) {
	c, err := LoadConfig(filepath.Join(fixtureDir(b), "configs", "clip224.json"), ModelCLIP)
	require.NoError(b, err)
	m := &RGB{Width: 224, Height: 224, Pix: make([]uint8, 3*224*224)}
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 7)
	}
	lut := c.valueTable()
	dst := make([]float32, 3*224*224)
	for b.Loop() {
		tensor(lut, m, dst)
	}
}
