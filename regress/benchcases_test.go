package regress

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBenchCases(t *testing.T) {
	require.Empty(t, BenchCases(""))
	dir := t.TempDir()
	require.Empty(t, BenchCases(dir), "no model folder yet")
	model := filepath.Join(dir, "openai", "clip-vit-base-patch32")
	require.NoError(t, os.MkdirAll(model, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(model, "config.json"), []byte("{}"), 0o644))
	require.Len(t, BenchCases(dir), 1, "fp32 only: no quantized towers")
	require.NoError(t, os.MkdirAll(filepath.Join(model, "onnx"), 0o755))
	for _, f := range []string{"vision_model_quantized.onnx", "vision_model_int8.onnx"} {
		require.NoError(t, os.WriteFile(filepath.Join(model, "onnx", f), nil, 0o644))
	}
	cs := BenchCases(dir)
	require.Len(t, cs, 3)
	require.Equal(t, "CLIP/bench/openai/clip-vit-base-patch32/fp32", cs[0].Name())
	require.Equal(t, "CLIP/bench/openai/clip-vit-base-patch32/int8", cs[1].Name())
	require.Equal(t, "quantized", cs[1].Variant)
	require.Equal(t, "CLIP/bench/openai/clip-vit-base-patch32/int8-signed", cs[2].Name())
	require.Equal(t, "int8", cs[2].Variant)
	for _, c := range cs {
		require.Equal(t, Bench, c.Kind)
		require.Equal(t, benchSample, c.Samples)
		got, err := Env{Root: t.TempDir()}.ModelDir(c)
		require.NoError(t, err)
		require.Equal(t, model, got)
	}
}
