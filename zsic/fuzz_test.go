package zsic

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic/imageproc"
)

// FuzzModelConfigs loads a model folder whose config.json and
// preprocessor_config.json are any bytes (the tokenizer and towers are
// tiny-clip's): no panic, and a model that loads has a finite scoring rule
// and bounded image sizes.
func FuzzModelConfigs(f *testing.F) {
	src := filepath.Join("..", "fixtures", "models", "tiny-clip")
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(src, name))
		require.NoError(f, err)
		return data
	}
	f.Add(read("config.json"), read("preprocessor_config.json"))
	f.Add([]byte(`{"model_type": "clip", "logit_scale": 4.6052}`), []byte(`{"size": 32, "crop_size": 32}`))
	f.Add([]byte(`{"model_type": "siglip", "logit_scale": 1000, "logit_bias": -10}`), []byte(`{"size": 100000}`))
	f.Add([]byte(`{"model_type": "clip", "logit_scale": -1e308}`), []byte(`{"crop_size": 9223372036854775807}`))
	f.Add([]byte(`{"model_type": "siglip2"}`), []byte(`{"rescale_factor": 1e300, "image_std": [1e-44, 1, 1]}`))
	dir := f.TempDir()
	for _, name := range []string{"vocab.json", "merges.txt", "tokenizer_config.json"} {
		require.NoError(f, os.WriteFile(filepath.Join(dir, name), read(name), 0o644))
	}
	towers := Towers{ImageEncoder: filepath.Join(src, "onnx", "vision_model.onnx"), TextEncoder: filepath.Join(src, "onnx", "text_model.onnx")}
	f.Fuzz(func(t *testing.T, config, preprocessor []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), config, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "preprocessor_config.json"), preprocessor, 0o644))
		m, err := LoadModel(dir, towers, "")
		if err != nil {
			require.Nil(t, m)
			return
		}
		s := m.Scoring
		require.False(t, math.IsNaN(s.Scale) || math.IsInf(s.Scale, 0) || math.IsNaN(s.Bias) || math.IsInf(s.Bias, 0), "scoring %+v", s)
		scores := s.Scores([]float32{1, 0}, [][]float32{{1, 0}, {-1, 0}, {0, 1}})
		for _, v := range scores {
			require.False(t, math.IsNaN(v), "scores %v with %+v", scores, s)
		}
		p := m.Preprocess
		for _, n := range []int{p.ShortestEdge, p.Height, p.Width, p.CropHeight, p.CropWidth} {
			require.LessOrEqual(t, n, imageproc.MaxSize)
		}
	})
}
