package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/regress"
)

func TestReport(t *testing.T) {
	t.Setenv(regress.ModelsDirEnv, "")
	out := filepath.Join(t.TempDir(), "quantization.md")
	var stderr bytes.Buffer
	err := run([]string{"-o", out, "-root", testenv.Root(t), "-dataset", testenv.CIFAR100(t)}, &stderr)
	require.NoError(t, err, stderr.String())
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	doc := string(data)
	for _, want := range []string{
		"# Quantization: int8 vs fp32 towers",
		"| Model | Samples | fp32 top-1 | int8 top-1 | Δ top-1 (95% CI) |",
		"| fixtures/models/tiny-clip | 1000 | ",
		"| fixtures/models/tiny-siglip | 1000 | ",
		"- openai/clip-vit-base-patch32\n",
		"- google/siglip-so400m-patch14-384\n",
	} {
		require.Contains(t, doc, want)
	}
	require.Contains(t, stderr.String(), "skip: real model openai/clip-vit-base-patch32 is not here (ZSIC_MODELS_DIR is unset)\n")
}

func TestReportUsage(t *testing.T) {
	var stderr bytes.Buffer
	require.ErrorContains(t, run(nil, &stderr), "give -o FILE and no arguments")
	require.Contains(t, stderr.String(), "-o string")
}

func TestReportBadOutput(t *testing.T) {
	data := testenv.CIFAR100(t)
	for name, out := range map[string]string{
		"missing folder":  filepath.Join(t.TempDir(), "missing", "q.md"),
		"the dataset too": data,
	} {
		var stderr bytes.Buffer
		err := run([]string{"-o", out, "-root", testenv.Root(t), "-dataset", data}, &stderr)
		require.ErrorContains(t, err, "-o "+out, name)
		require.Empty(t, stderr.String(), "%s: refused before any pair was measured", name)
	}
}
