package zsic

import (
	"io/fs"
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

func TestLoadModelErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadModel(dir, nil, "")
	require.ErrorContains(t, err, "config.json: no such file")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"model_type": "blip"}`), 0o644))
	_, err = LoadModel(dir, nil, "")
	require.ErrorContains(t, err, `model_type "blip" is not supported: want one of clip, siglip, siglip2`)
	var mt *ModelTypeError
	require.ErrorAs(t, err, &mt)
	require.Equal(t, "blip", mt.Type)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"model_type": "clip"}`), 0o644))
	_, err = LoadModel(dir, nil, "")
	require.ErrorContains(t, err, "no image-encoder: looked for image_encoder.onnx and onnx/vision_model.onnx")
	var mte *MissingTowerError
	require.ErrorAs(t, err, &mte)
	require.Equal(t, MissingTowerError{Role: ImageEncoder, Dir: dir, Tried: []string{"image_encoder.onnx", "onnx/vision_model.onnx"}}, *mte)
	_, err = LoadModel(dir, nil, "quantized")
	require.ErrorContains(t, err, "looked for image_encoder_quantized.onnx and onnx/vision_model_quantized.onnx")
	_, err = LoadModel(dir, nil, "int4")
	require.ErrorContains(t, err, `variant "int4": want one of fp32, quantized, fp16, int8, uint8, q4`)

	_, err = LoadModel("", Towers{ImageEncoder: "a.onnx"}, "")
	require.ErrorContains(t, err, "no model folder and no text-encoder")
	require.ErrorAs(t, err, &mte)
	require.Equal(t, TextEncoder, mte.Role)

	// Towers alone: the folder is found by the text encoder's config.json.
	loose := t.TempDir()
	_, err = LoadModel("", Towers{ImageEncoder: filepath.Join(loose, "a.onnx"), TextEncoder: filepath.Join(loose, "b", "t.onnx")}, "")
	var cnf *ConfigNotFoundError
	require.ErrorAs(t, err, &cnf)
	require.Equal(t, []string{filepath.Join(loose, "b", "config.json"), filepath.Join(loose, "config.json")}, cnf.Tried)
	require.ErrorIs(t, err, fs.ErrNotExist)
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
