package zsic

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func touch(t *testing.T, path string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("x"), 0o644))
	return path
}

func TestParseTowers(t *testing.T) {
	dir := t.TempDir()
	img := touch(t, filepath.Join(dir, "img.onnx"))
	txt := touch(t, filepath.Join(dir, "txt.onnx"))
	tests := []struct {
		name    string
		args    []string
		wantDir string
		want    Towers
		err     string
	}{
		{"folder", []string{dir}, dir, nil, ""},
		{"pairs", []string{"image-encoder=" + img, "text-encoder=" + txt}, "", Towers{ImageEncoder: img, TextEncoder: txt}, ""},
		{"unknown role", []string{"vision=" + img}, "", nil, `unknown role "vision" (valid roles: image-encoder, text-encoder)`},
		{"duplicate role", []string{"image-encoder=" + img, "image-encoder=" + txt}, "", nil, "role image-encoder given twice (valid roles: image-encoder, text-encoder, each once)"},
		{"empty path", []string{"text-encoder="}, "", nil, "empty path for role text-encoder (want -m text-encoder=PATH; valid roles: image-encoder, text-encoder)"},
		{"missing file", []string{"text-encoder=" + filepath.Join(dir, "nope.onnx")}, "", nil, "text-encoder file: stat " + filepath.Join(dir, "nope.onnx") + ": no such file or directory"},
		{"mixed", []string{dir, "image-encoder=" + img}, "", nil, "a bare path (a model folder) cannot be mixed with role=path pairs; give either -m DIR or -m ROLE=PATH for each of image-encoder, text-encoder"},
		{"two folders", []string{dir, dir}, "", nil, "more than one bare path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, towers, err := ParseTowers(tt.args)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantDir, d)
			if tt.want != nil {
				require.Equal(t, tt.want, towers)
			}
		})
	}
}

func TestLoadModelErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadModel(dir, nil, "")
	require.ErrorContains(t, err, "config.json: no such file")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"model_type": "blip"}`), 0o644))
	_, err = LoadModel(dir, nil, "")
	require.ErrorContains(t, err, `model_type "blip": want one of clip, siglip, siglip2`)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"model_type": "clip"}`), 0o644))
	_, err = LoadModel(dir, nil, "")
	require.ErrorContains(t, err, "no image-encoder: looked for image_encoder.onnx and onnx/vision_model.onnx (or give -m image-encoder=PATH)")
	_, err = LoadModel(dir, nil, "quantized")
	require.ErrorContains(t, err, "looked for image_encoder_quantized.onnx and onnx/vision_model_quantized.onnx")
	_, err = LoadModel(dir, nil, "int4")
	require.ErrorContains(t, err, `variant "int4": want one of fp32, quantized, fp16, int8, uint8, q4`)

	_, err = LoadModel("", Towers{ImageEncoder: "a.onnx"}, "")
	require.ErrorContains(t, err, "no model folder and no text-encoder")
}

func TestScoringFromConfig(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	var notes []string
	require.Equal(t, Scoring{Kind: Softmax, Scale: 100}, scoring(modelConfig{ModelType: "clip"}, &notes))
	s := scoring(modelConfig{ModelType: "clip", LogitScale: f(math.Log(50))}, &notes)
	require.InDelta(t, 50, s.Scale, 1e-9)
	require.Empty(t, notes)
	s = scoring(modelConfig{ModelType: "siglip", LogitScale: f(math.Log(10)), LogitBias: f(-3)}, &notes)
	require.Equal(t, Sigmoid, s.Kind)
	require.InDelta(t, 10, s.Scale, 1e-9)
	require.Equal(t, -3.0, s.Bias)
	s = scoring(modelConfig{ModelType: "siglip2"}, &notes)
	require.Equal(t, Cosine, s.Kind)
	require.Len(t, notes, 1)
	require.Contains(t, notes[0], "no logit_scale/logit_bias")
}

func TestModelFiles(t *testing.T) {
	want := ModelFiles("quantized")
	for _, p := range []string{"config.json", "tokenizer.json", "spiece.model", "onnx/vision_model_quantized.onnx", "onnx/text_model_quantized.onnx", "text_encoder_quantized.onnx"} {
		require.True(t, want(p), p)
	}
	for _, p := range []string{"onnx/vision_model.onnx", "model.safetensors", "pytorch_model.bin", "onnx/text_model_fp16.onnx"} {
		require.False(t, want(p), p)
	}
}

func TestPrompts(t *testing.T) {
	require.Equal(t, []string{"This is a photo of maple tree.", "This is a photo of cra."}, Prompts("", []string{"maple tree", "cra"}))
	require.Equal(t, []string{"a cat"}, Prompts("a {}", []string{"cat"}))
}
