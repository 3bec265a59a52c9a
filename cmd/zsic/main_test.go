package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	runreport "github.com/zsic/zsic/zsic/report"
)

// zsic runs the command line in-process and returns its exit status, stdout
// and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// tinyCLIP returns the trained CLIP fixture's folder.
func tinyCLIP(t *testing.T) string {
	return filepath.Join(testenv.Root(t), "fixtures", "models", "tiny-clip")
}

func TestUsage(t *testing.T) {
	code, _, stderr := runCLI(t)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "Commands:")
	code, _, stderr = runCLI(t, "frobnicate")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `unknown command "frobnicate"`)
}

func TestHelpShowsExample(t *testing.T) {
	for _, cmd := range []string{"eval", "classify", "embed", "fetch", "report", "compare"} {
		t.Run(cmd, func(t *testing.T) {
			code, _, stderr := runCLI(t, cmd, "--help")
			require.Equal(t, 0, code)
			require.Contains(t, stderr, "Example:\n  zsic "+cmd)
			require.Contains(t, stderr, "Flags:")
		})
	}
}

func TestEvalBadInput(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	model := tinyCLIP(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "a.onnx")
	require.NoError(t, os.WriteFile(img, []byte("x"), 0o644))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no model", []string{"--dataset", cifar}, "no model: give -m DIR"},
		{"no dataset", []string{"-m", model}, "no --dataset"},
		{"task", []string{"-m", model, "--dataset", cifar, "--task", "image-classification"}, "--task image-classification: zsic evaluates only zero-shot-image-classification"},
		{"unknown role", []string{"-m", "vision=" + img, "--dataset", cifar}, `unknown role "vision" (valid roles: image-encoder, text-encoder)`},
		{"duplicate role", []string{"-m", "image-encoder=" + img, "-m", "image-encoder=" + img, "--dataset", cifar}, "role image-encoder given twice"},
		{"missing role", []string{"-m", "image-encoder=" + img, "--dataset", cifar}, "no model folder and no text-encoder"},
		{"empty path", []string{"-m", "text-encoder=", "--dataset", cifar}, "empty path for role text-encoder"},
		{"missing file", []string{"-m", "text-encoder=" + filepath.Join(dir, "none.onnx"), "--dataset", cifar}, "no such file or directory"},
		{"mixed", []string{"-m", model, "-m", "image-encoder=" + img, "--dataset", cifar}, "cannot be mixed with role=path pairs"},
		{"bad column", []string{"-m", model, "--dataset", cifar, "--column", "image=img"}, `unknown key "image" (want input_column or label_column)`},
		{"missing column", []string{"-m", model, "--dataset", cifar, "--column", "input_column=image"}, "image"},
		{"too many samples", []string{"-m", model, "--dataset", cifar, "--samples", "20000"}, "20000"},
		{"device", []string{"-m", model, "--dataset", cifar, "--samples", "4", "--device", "cuda"}, "device cuda: its execution provider is not available"},
		{"unknown device", []string{"-m", model, "--dataset", cifar, "--samples", "4", "--device", "tpu"}, `unknown device "tpu"`},
		{"variant", []string{"-m", model, "--dataset", cifar, "--variant", "int4"}, `variant "int4": want one of`},
		{"missing dataset", []string{"-m", model, "--dataset", filepath.Join(dir, "nope.parquet")}, "nope.parquet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"eval", "--quiet"}, tt.args...)...)
			require.Equal(t, 1, code, stderr)
			require.Contains(t, stderr, tt.want)
			require.True(t, strings.HasPrefix(stderr, "zsic eval: "), stderr)
		})
	}
}

// TestEvalEndToEnd evaluates the trained CLIP fixture on 200 CIFAR-100 rows
// through the CLI and checks the report and predictions files.
func TestEvalEndToEnd(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	dir := t.TempDir()
	reportPath := filepath.Join(dir, "report.json")
	predsPath := filepath.Join(dir, "preds.jsonl")
	code, stdout, stderr := runCLI(t, "eval", "-m", tinyCLIP(t), "--dataset", cifar, "--samples", "200",
		"--batch-size", "64", "--output", reportPath, "--predictions", predsPath)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "(200 samples")

	var rep runreport.Report
	data, err := os.ReadFile(reportPath)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	require.Equal(t, Task, rep.Task)
	require.Equal(t, "cpu", rep.Device)
	require.Equal(t, 200, rep.Dataset.Samples)
	require.Equal(t, map[string]string{"input_column": "img", "label_column": "fine_label"}, rep.Dataset.ColumnsMapping)
	require.Equal(t, filepath.Join(tinyCLIP(t), "onnx", "vision_model.onnx"), rep.ModelPath["image-encoder"])
	// The trained fixture is far above chance (1%).
	require.Greater(t, rep.Metrics.Top1, 10.0)
	require.GreaterOrEqual(t, rep.Metrics.Top5, rep.Metrics.Top1)
	require.Greater(t, rep.Timings.PerImageMS, 0.0)
	// The report's raw keys are the documented ones.
	var raw map[string]any
	require.NoError(t, json.Unmarshal(data, &raw))
	for _, k := range []string{"model_id", "model_path", "task", "device", "dataset", "metrics", "timings"} {
		require.Contains(t, raw, k)
	}
	require.Equal(t, []any{"top1_accuracy", "top5_accuracy", "mean_per_class_recall"}, keys(raw["metrics"]))

	lines := strings.Split(strings.TrimSpace(readFile(t, predsPath)), "\n")
	require.Len(t, lines, 200)
	var correct int
	for i, l := range lines {
		var p struct {
			Row    int       `json:"index"`
			Label  int       `json:"label"`
			Top5   []int     `json:"top5"`
			Scores []float64 `json:"scores"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &p))
		require.Equal(t, i, p.Row)
		require.Len(t, p.Top5, 5)
		require.Len(t, p.Scores, 5)
		require.IsNonIncreasing(t, p.Scores)
		if p.Top5[0] == p.Label {
			correct++
		}
	}
	require.InDelta(t, rep.Metrics.Top1, 100*float64(correct)/200, 1e-9)
}

func keys(v any) []any {
	m := v.(map[string]any)
	var out []any
	for _, k := range []string{"top1_accuracy", "top5_accuracy", "mean_per_class_recall"} {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}
