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
