package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
	runreport "github.com/zsic/zsic/zsic/report"
)

// sha256File returns the hex SHA-256 of a file's bytes.
func sha256File(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// sha256Lines returns the hex SHA-256 of the lines, each ending in "\n".
func sha256Lines(lines []string) string {
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n") + "\n"))
	return hex.EncodeToString(sum[:])
}

// TestProvenanceOnARealRun builds zsic as `make build` does, evaluates the
// trained CLIP fixture on 100 CIFAR-100 rows and checks every provenance
// field of the JSON report against values found independently.
func TestProvenanceOnARealRun(t *testing.T) {
	root := testenv.Root(t)
	cifar := testenv.CIFAR100(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "zsic")
	build := exec.Command("make", "-s", "build", "ZSIC_BIN="+bin)
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "make build: %s", out)

	reportPath, predsPath := filepath.Join(dir, "report.json"), filepath.Join(dir, "preds.jsonl")
	before := time.Now()
	cmd := exec.Command(bin, "eval", "-m", tinyCLIP(t), "--dataset", cifar, "--samples", "100", "--threads", "1",
		"--output", reportPath, "--predictions", predsPath, "--quiet")
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "zsic eval: %s", out)
	after := time.Now()

	data := readFile(t, reportPath)
	rep, err := runreport.Decode([]byte(data))
	require.NoError(t, err)
	p := rep.Provenance
	require.Equal(t, runreport.Schema, rep.Schema)

	// The build: module, version, and the revision git reports.
	require.Equal(t, "github.com/zsic/zsic", p.Zsic.Module)
	require.Equal(t, "(devel)", p.Zsic.Version)
	require.Equal(t, runtime.Version(), p.Zsic.Go)
	if head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output(); err == nil {
		require.Equal(t, strings.TrimSpace(string(head)), p.Zsic.Revision)
		status, err := exec.Command("git", "-C", root, "status", "--porcelain").Output()
		require.NoError(t, err)
		require.Equal(t, len(status) > 0, p.Zsic.Modified)
	}

	rt, err := zsic.NewRuntime(zsic.RuntimeOptions{Library: testenv.ORTLibrary(t)})
	require.NoError(t, err)
	require.Equal(t, rt.Version(), p.ONNXRuntime)
	require.NoError(t, rt.Close())
	require.Regexp(t, `^\d+\.\d+\.\d+`, p.ONNXRuntime)

	// The towers, hashed here from the files.
	for role, file := range map[string]string{"image-encoder": "vision_model.onnx", "text-encoder": "text_model.onnx"} {
		path := filepath.Join(tinyCLIP(t), "onnx", file)
		st, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, runreport.File{Path: path, SHA256: sha256File(t, path), Size: st.Size()}, p.Towers[role], role)
	}
	require.Len(t, p.Towers, 2)

	require.Equal(t, "CPU", p.ExecutionProvider)
	require.Equal(t, 1, p.Threads)
	require.Positive(t, p.Workers)
	require.Positive(t, p.Streams)
	require.Equal(t, runtime.NumCPU(), p.CPU.Cores)
	require.Equal(t, runtime.GOOS+"/"+runtime.GOARCH, p.CPU.Arch)
	if cpuinfo, err := os.ReadFile("/proc/cpuinfo"); err == nil && strings.Contains(string(cpuinfo), "model name") {
		require.NotEmpty(t, p.CPU.Model)
		require.Contains(t, string(cpuinfo), p.CPU.Model)
	}

	// Start and duration lie inside the command's run.
	require.False(t, p.Start.Before(before.Truncate(time.Second)), "start %s before %s", p.Start, before)
	require.True(t, p.Start.Before(after))
	require.Positive(t, p.DurationS)
	require.LessOrEqual(t, p.DurationS, after.Sub(before).Seconds())
	require.Contains(t, data, `"start": "`+p.Start.Format(time.RFC3339Nano)+`"`, "start is RFC 3339 in UTC")

	// The dataset fingerprint, recomputed from the first 100 rows.
	src, err := dataset.Open(cifar, dataset.DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	var lines []string
	rows := make([]int, 100)
	for i := range rows {
		rows[i] = i
	}
	require.NoError(t, src.Read(rows, func(s dataset.Sample) error {
		sum := sha256.Sum256(s.Image)
		lines = append(lines, fmt.Sprintf("%d\t%d\t%x", s.Row, s.Label, sum))
		return nil
	}))
	require.Equal(t, runreport.Fingerprint{Rows: 100, SHA256: sha256Lines(lines)}, p.Dataset)

	// Templates and class names.
	// (The prompts record hashes the names as they go into the prompts,
	// "_" read as a space, sorted bytewise.)
	classes := src.Classes()
	require.Len(t, classes, 100)
	require.Equal(t, classes, rep.ClassNames)
	require.NotNil(t, rep.Prompts)
	var sorted []string
	for _, c := range classes {
		sorted = append(sorted, strings.ReplaceAll(c, "_", " "))
	}
	slices.Sort(sorted)
	require.Equal(t, 100, rep.Prompts.ClassNames.Count)
	require.Equal(t, sha256Lines(sorted), rep.Prompts.ClassNames.SHA256)
	require.NotNil(t, rep.Prompts.Templates)
	require.Equal(t, 1, rep.Prompts.Templates.Count)
	require.Equal(t, sha256Lines([]string{zsic.DefaultTemplate}), rep.Prompts.Templates.SHA256)

	// No failures; the predictions file is identified.
	require.Zero(t, rep.FailureCount)
	require.Empty(t, rep.Failures)
	require.Equal(t, 100, rep.PredictionsCount)
	require.Equal(t, sha256File(t, predsPath), rep.PredictionsSHA256)

	// Every documented key is in the JSON.
	var top, raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(data), &top))
	for _, k := range []string{"schema", "model_id", "model_path", "task", "device", "dataset", "metrics", "timings", "provenance", "prompts", "class_names", "predictions", "predictions_count", "predictions_sha256", "failure_count", "fingerprint"} {
		require.Contains(t, top, k)
	}
	require.NoError(t, json.Unmarshal(top["provenance"], &raw))
	for _, k := range []string{"zsic", "onnxruntime", "towers", "execution_provider", "threads", "workers", "cpu", "start", "duration_s", "dataset"} {
		require.Contains(t, raw, k)
	}
}

// TestProvenanceCountsFailures evaluates a list of three images, one of
// them corrupt, and checks the report's failure count and first failures.
func TestProvenanceCountsFailures(t *testing.T) {
	dir := t.TempDir()
	for i, c := range []color.RGBA{{200, 30, 30, 255}, {30, 30, 200, 255}} {
		img := image.NewRGBA(image.Rect(0, 0, 40, 40))
		for p := 0; p < 40*40; p++ {
			img.Set(p%40, p/40, c)
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("img%d.png", i)))
		require.NoError(t, err)
		require.NoError(t, png.Encode(f, img))
		require.NoError(t, f.Close())
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.png"), []byte("\x89PNG\r\n\x1a\nnot really"), 0o644))
	list := filepath.Join(dir, "list.csv")
	require.NoError(t, os.WriteFile(list, []byte("path,label\nimg0.png,red\nbroken.png,blue\nimg1.png,blue\n"), 0o644))
	reportPath := filepath.Join(dir, "report.json")
	code, _, stderr := runCLI(t, "eval", "-m", tinyCLIP(t), "--dataset", list, "--output", reportPath, "--quiet")
	require.Equal(t, 0, code, stderr)
	rep, err := runreport.Read(reportPath)
	require.NoError(t, err)
	require.Equal(t, 1, rep.FailureCount)
	require.Len(t, rep.Failures, 1)
	require.Equal(t, 1, rep.Failures[0].Row)
	require.NotEmpty(t, rep.Failures[0].Err)
	require.Equal(t, 2, rep.Dataset.Samples)
	require.Equal(t, 3, rep.Provenance.Dataset.Rows, "the fingerprint covers every row read, failed or not")
	require.Equal(t, []string{"blue", "red"}, rep.ClassNames)
	require.Equal(t, sha256Lines([]string{"blue", "red"}), rep.Prompts.ClassNames.SHA256)
	require.Empty(t, rep.PredictionsSHA256, "no --predictions, no predictions file")
}
