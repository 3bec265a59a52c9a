package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic"
	runreport "github.com/zsic/zsic/zsic/report"
)

// writePreds writes predictions to a file in dir and returns its path.
func writePreds(t *testing.T, dir, name string, preds []zsic.Prediction) string {
	t.Helper()
	var b bytes.Buffer
	_, err := runreport.EncodePredictions(&b, preds)
	require.NoError(t, err)
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, b.Bytes(), 0o644))
	return p
}

// twoRuns returns predictions of runs A and B over the same 200 rows of 4
// classes: A is right on the first 120, B on the first 100 and on rows
// 190-194 (b = 20 samples only A gets right, c = 5 only B does).
func twoRuns() (a, b []zsic.Prediction) {
	for i := range 200 {
		l := i % 4
		wrong := (l + 1) % 4
		mk := func(right bool) zsic.Prediction {
			top := []int{wrong, l}
			if right {
				top = []int{l, wrong}
			}
			return zsic.Prediction{Row: i, Label: l, Top5: top, Scores: []float64{0.6, 0.3}}
		}
		a = append(a, mk(i < 120))
		b = append(b, mk(i < 100 || (i >= 190 && i < 195)))
	}
	return a, b
}

func TestCompareCLI(t *testing.T) {
	dir := t.TempDir()
	a, b := twoRuns()
	pa, pb := writePreds(t, dir, "a.jsonl", a), writePreds(t, dir, "b.jsonl", b)
	labels := filepath.Join(dir, "labels.txt")
	require.NoError(t, os.WriteFile(labels, []byte("apple\nbear\ncat\ndog\n"), 0o644))

	out := filepath.Join(dir, "cmp.html")
	code, stdout, stderr := runCLI(t, "compare", pa, pb, "--labels", "@"+labels, "--output", out)
	require.Equal(t, 0, code, stderr)
	// b=20, c=5: p = 2·Σ_{i≤5} C(25, i)/2^25 = 2·68406/33554432 = 0.004077.
	require.Contains(t, stdout, "top-1 accuracy            60.00%    52.50%    -7.50 pts")
	require.Contains(t, stdout, "discordant b = 20 (only A right), c = 5 (only B right); exact McNemar p = 0.00408")
	require.Contains(t, stdout, "top-1 agreement 175 of 200 = 87.50%; 25 flips (20 right→wrong, 5 wrong→right, 0 wrong→wrong)")
	require.Contains(t, stdout, "B is significantly worse")
	page, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(page), `data-chart="delta"`)
	require.Contains(t, string(page), "apple")

	code, _, stderr = runCLI(t, "compare", pa, pb, "--labels", "@"+labels, "--fail-if-worse", "5")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "B is significantly worse than A: top-1 -7.50 pts (more than the 5 allowed by --fail-if-worse), exact McNemar p = 0.00408")
	code, _, _ = runCLI(t, "compare", pa, pb, "--labels", "@"+labels, "--fail-if-worse", "8")
	require.Equal(t, 0, code, "a drop within PTS passes")
	code, _, _ = runCLI(t, "compare", pa, pb, "--labels", "@"+labels, "--fail-if-worse", "0", "--alpha", "0.001")
	require.Equal(t, 0, code, "a drop not significant at --alpha passes")
	code, _, _ = runCLI(t, "compare", pb, pa, "--labels", "@"+labels, "--fail-if-worse", "0")
	require.Equal(t, 0, code, "B better than A passes")

	md := filepath.Join(dir, "cmp.md")
	code, _, stderr = runCLI(t, "compare", pa, pb, "--output", md)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "no class names")
	text, err := os.ReadFile(md)
	require.NoError(t, err)
	require.Contains(t, string(text), "![per-class delta](cmp-delta.svg)")
	require.FileExists(t, filepath.Join(dir, "cmp-delta.svg"))
}

func TestReportCLI(t *testing.T) {
	dir := t.TempDir()
	a, _ := twoRuns()
	pa := writePreds(t, dir, "a.jsonl", a)
	out := filepath.Join(dir, "r.html")
	code, stdout, stderr := runCLI(t, "report", "--predictions", pa, "--output", out)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "samples                200\ntop-1 accuracy         60.00%\n")
	require.Contains(t, stdout, "wrote "+out)
	page, err := os.ReadFile(out)
	require.NoError(t, err)
	for _, want := range []string{`data-chart="per-class" data-bars="4"`, `data-chart="confusion" data-cells="16"`, "Content-Security-Policy", "class 3"} {
		require.Contains(t, string(page), want)
	}
	require.NotContains(t, string(page), "<script")
}

func TestReportBadInput(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	dir := t.TempDir()
	a, b := twoRuns()
	pa, pb := writePreds(t, dir, "a.jsonl", a), writePreds(t, dir, "b.jsonl", b)
	labels3 := filepath.Join(dir, "three.txt")
	require.NoError(t, os.WriteFile(labels3, []byte("apple\nbear\ncat\n"), 0o644))
	far := writePreds(t, dir, "far.jsonl", []zsic.Prediction{
		{Row: 3, Label: 0, Top5: []int{1}, Scores: []float64{0.9}},
		{Row: 20000, Label: 5, Top5: []int{7}, Scores: []float64{0.9}},
		{Row: 12345, Label: 5, Top5: []int{7}, Scores: []float64{0.8}},
	})
	// Row 0 of the CIFAR-100 test parquet has label 65 (rabbit).
	relabelled := writePreds(t, dir, "relabelled.jsonl", []zsic.Prediction{{Row: 0, Label: 3, Top5: []int{7}, Scores: []float64{0.9}}})
	short := writePreds(t, dir, "short.jsonl", a[:150])
	garbage := filepath.Join(dir, "garbage.jsonl")
	require.NoError(t, os.WriteFile(garbage, []byte("{\"index\": 1}\n"), 0o644))
	// A predictions file named as a Markdown page's chart (cmp-delta.svg
	// of --output cmp.md) would be overwritten by it.
	chart := writePreds(t, dir, "cmp-delta.svg", a)
	chartBefore := readFile(t, chart)
	data := filepath.Join(dir, "data.parquet") // refused before it is read
	require.NoError(t, os.WriteFile(data, []byte("PAR1"), 0o644))
	noDir := filepath.Join(dir, "missing", "r.html")
	readOnly := filepath.Join(dir, "ro")
	require.NoError(t, os.Mkdir(readOnly, 0o555))
	type badCase struct {
		name string
		args []string
		want string
		code int // the exit status: 1 a failed run, 2 a usage error
	}
	tests := []badCase{
		{"no predictions", []string{"report", "--output", filepath.Join(dir, "x.html")}, "give --predictions FILE and --output FILE", 1},
		{"missing predictions", []string{"report", "--predictions", filepath.Join(dir, "none.jsonl"), "--output", filepath.Join(dir, "x.html")}, "none.jsonl: no such file", 1},
		{"bad line", []string{"report", "--predictions", garbage, "--output", filepath.Join(dir, "x.html")}, "garbage.jsonl: line 1: row 1: want 1 to 5 ranked labels in top5, got 0", 1},
		{"unknown labels", []string{"report", "--predictions", pa, "--labels", "@" + labels3, "--output", filepath.Join(dir, "x.html")}, "predictions " + pa + ": prediction 3 (row 2): predicted label 3 is not one of the 3 classes of labels file " + labels3, 1},
		{"dataset lacks the rows", []string{"report", "--predictions", far, "--dataset", cifar, "--output", filepath.Join(dir, "x.html")}, "has 9999 rows, but the predictions name row 12345, 20000: is it the dataset the run evaluated?", 1},
		{"dataset with other labels", []string{"report", "--predictions", relabelled, "--dataset", cifar, "--output", filepath.Join(dir, "x.html")}, "row 0 has label 65 in the dataset but 3 in the predictions: is it the dataset the run evaluated?", 1},
		{"output folder missing", []string{"report", "--predictions", pa, "--output", noDir}, "--output " + noDir + ": its folder:", 2},
		{"output folder read-only", []string{"report", "--predictions", pa, "--output", filepath.Join(readOnly, "r.html")}, "--output " + filepath.Join(readOnly, "r.html") + ": cannot write in its folder " + readOnly, 2},
		{"output is a folder", []string{"report", "--predictions", pa, "--output", dir}, "--output " + dir + ": is a folder, want a file", 2},
		{"output is the input", []string{"report", "--predictions", pa, "--output", pa}, "--output " + pa + " is the same file as --predictions " + pa + ": the output would destroy the input", 2},
		{"output is the report", []string{"report", "--predictions", pa, "--report", pb, "--output", pb}, "--output " + pb + " is the same file as --report " + pb, 2},
		{"output is the labels", []string{"report", "--predictions", pa, "--labels", "@" + labels3, "--output", labels3}, "--output " + labels3 + " is the same file as --labels " + labels3, 2},
		{"output is the dataset", []string{"report", "--predictions", pa, "--dataset", data, "--output", data}, "--output " + data + " is the same file as --dataset " + data, 2},
		{"format", []string{"report", "--predictions", pa, "--output", filepath.Join(dir, "x.html"), "--format", "pdf"}, "--format pdf: want html or md", 1},
		{"compare one file", []string{"compare", pa}, "give two predictions files, A and B (got 1 arguments", 1},
		{"compare other samples", []string{"compare", pa, short}, "the runs are over different samples (200 and 150 predictions): 50 rows only in A: 150, 151", 1},
		{"compare unknown labels", []string{"compare", pa, pb, "--labels", "@" + labels3}, "label 3 is not one of the 3 classes of labels file", 1},
		{"compare output is B", []string{"compare", pa, pb, "--output", pb}, "--output " + pb + " is the same file as B " + pb, 2},
		{"compare page file is A", []string{"compare", chart, pb, "--output", filepath.Join(dir, "cmp.md")}, "the page's file " + chart + " is the same file as A " + chart, 2},
		{"compare alpha", []string{"compare", pa, pb, "--alpha", "2"}, "--alpha 2: want a level between 0 and 1", 1},
	}
	if os.Geteuid() == 0 {
		// root writes into read-only folders.
		tests = slices.DeleteFunc(tests, func(c badCase) bool { return c.name == "output folder read-only" })
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			require.Equal(t, tt.code, code, stderr)
			require.Contains(t, stderr, tt.want)
			require.NotContains(t, stderr, "panic")
			require.NoFileExists(t, filepath.Join(dir, "x.html"))
		})
	}
	require.Equal(t, chartBefore, readFile(t, chart), "the input is left as it was")
	require.Equal(t, "PAR1", readFile(t, data))
	require.NoFileExists(t, filepath.Join(dir, "cmp.md"))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.False(t, strings.HasPrefix(e.Name(), "."), "temporary file left behind: %s", e.Name())
	}
}

// TestCompareSameFile refuses to compare a predictions file with itself,
// however the two paths name it.
func TestCompareSameFile(t *testing.T) {
	dir := t.TempDir()
	a, _ := twoRuns()
	pa := writePreds(t, dir, "a.jsonl", a)
	hard := filepath.Join(dir, "hard.jsonl")
	require.NoError(t, os.Link(pa, hard))
	link := filepath.Join(dir, "link.jsonl")
	require.NoError(t, os.Symlink("a.jsonl", link))
	for _, b := range []string{pa, filepath.Join(dir, ".", "sub", "..", "a.jsonl"), hard, link} {
		t.Run(filepath.Base(b), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "compare", pa, b)
			require.Equal(t, 2, code, stderr)
			require.Contains(t, stderr, "zsic compare: A "+pa+" and B "+b+" are the same file: give the predictions of two runs")
			require.Empty(t, stdout)
		})
	}
}

// TestReportFromARun renders the report of a real run, and refuses the
// predictions of another run with it.
func TestReportFromARun(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	dir := t.TempDir()
	r1, p1, p2 := filepath.Join(dir, "r1.json"), filepath.Join(dir, "p1.jsonl"), filepath.Join(dir, "p2.jsonl")
	code, _, stderr := runCLI(t, "eval", "-m", tinyCLIP(t), "--dataset", cifar, "--samples", "60", "--output", r1, "--predictions", p1, "--quiet")
	require.Equal(t, 0, code, stderr)
	code, _, stderr = runCLI(t, "eval", "-m", tinyCLIP(t), "--dataset", cifar, "--samples", "50", "--predictions", p2, "--quiet")
	require.Equal(t, 0, code, stderr)

	out := filepath.Join(dir, "r.html")
	code, stdout, stderr := runCLI(t, "report", "--predictions", p1, "--report", r1, "--dataset", cifar, "--output", out)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "model                  "+tinyCLIP(t))
	require.Contains(t, stdout, "samples                60\n")
	page := readFile(t, out)
	for _, want := range []string{"zsic.revision", "onnxruntime", "towers.image-encoder.sha256", "prompts.class_names.count", "prompts.templates.sha256", "dataset.sha256", "text_encode_s", "data:image/png;base64,", "aquarium_fish"} {
		require.True(t, strings.Contains(page, want), "the page lacks %q", want)
	}

	code, _, stderr = runCLI(t, "report", "--predictions", p2, "--report", r1, "--output", out)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "predictions "+p2+" (50 lines, sha256 ")
	require.Contains(t, stderr, "are not the ones report "+r1+" was written with (60 lines")

	// One changed score is another file.
	tampered := filepath.Join(dir, "tampered.jsonl")
	data := readFile(t, p1)
	require.NoError(t, os.WriteFile(tampered, []byte(strings.Replace(data, `"scores":[0.`, `"scores":[0.9`, 1)), 0o644))
	code, _, stderr = runCLI(t, "report", "--predictions", tampered, "--report", r1, "--output", out)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "are not the ones report")

	// A report that is not schema 1.
	old := filepath.Join(dir, "old.json")
	require.NoError(t, os.WriteFile(old, []byte(`{"model_id": "m", "metrics": {}}`), 0o644))
	code, _, stderr = runCLI(t, "report", "--predictions", p1, "--report", old, "--output", out)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, `report `+old+`: not a zsic JSON report of schema 1: no "schema" field`)
}
