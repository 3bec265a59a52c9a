package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/dataset/wdstest"
	"github.com/zsic/zsic/zsic/hub/hubtest"
	runreport "github.com/zsic/zsic/zsic/report"
)

// cifarClasses returns the CIFAR-100 test parquet's class names.
func cifarClasses(t *testing.T) []string {
	t.Helper()
	src, err := dataset.Open(testenv.CIFAR100(t), dataset.DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	return src.Classes()
}

// threeTemplates is the WebDataset fixture's template file.
var threeTemplates = []string{"a photo of a {c}.", "a blurry photo of the {c}.", "itap of a {}."}

// buildWDS writes the WebDataset fixture: the first 48 rows of the CIFAR-100
// parquet in three shards (16 a shard), rows 1, 5, 9, … as lossless WebP,
// with the dataset's class names and three templates.
func buildWDS(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	wdstest.Build(t, dir, testenv.CIFAR100(t), wdstest.Options{Rows: 48, PerShard: 16, Classes: cifarClasses(t), Template: threeTemplates})
	return dir
}

// evalReport runs eval with args plus --output and --predictions, and
// returns the report and the predictions file's lines.
func evalReport(t *testing.T, args ...string) (runreport.Report, []string, string) {
	t.Helper()
	dir := t.TempDir()
	rep, preds := filepath.Join(dir, "r.json"), filepath.Join(dir, "p.jsonl")
	code, stdout, stderr := runCLI(t, append(append([]string{"eval", "--quiet"}, args...), "--output", rep, "--predictions", preds)...)
	require.Equal(t, 0, code, stderr)
	require.NotEmpty(t, stdout)
	var r runreport.Report
	require.NoError(t, json.Unmarshal([]byte(readFile(t, rep)), &r))
	return r, strings.Split(strings.TrimSpace(readFile(t, preds)), "\n"), stderr
}

// TestEvalWebDatasetMatchesParquet evaluates the WebDataset fixture, whose
// names and templates come from its own files, and the same 48 rows of the
// parquet with those names and templates given as flags: the predictions
// are the same, line for line.
func TestEvalWebDatasetMatchesParquet(t *testing.T) {
	dir := buildWDS(t)
	wds, wdsPreds, _ := evalReport(t, "-m", tinyCLIP(t), "--dataset", dir, "--split", "test", "--batch-size", "20")
	pq, pqPreds, _ := evalReport(t, "-m", tinyCLIP(t), "--dataset", testenv.CIFAR100(t), "--samples", "48", "--batch-size", "20",
		"--classnames", filepath.Join(dir, "classnames.txt"), "--templates", filepath.Join(dir, "zeroshot_classification_templates.txt"))
	require.Len(t, wdsPreds, 48)
	require.Equal(t, pqPreds, wdsPreds)
	require.Equal(t, pq.Metrics, wds.Metrics)

	require.NotNil(t, wds.Prompts)
	require.Equal(t, 100, wds.Prompts.ClassNames.Count)
	require.Equal(t, []string{"apple", "aquarium fish", "baby"}, wds.Prompts.ClassNames.First)
	require.Equal(t, 3, wds.Prompts.Templates.Count)
	require.Equal(t, threeTemplates, wds.Prompts.Templates.First)
	require.Equal(t, pq.Prompts.ClassNames.SHA256, wds.Prompts.ClassNames.SHA256)
	require.Equal(t, pq.Prompts.Templates.SHA256, wds.Prompts.Templates.SHA256)
	require.Equal(t, 300, wds.Prompts.ClassPrompts.Count)

	// The dataset's templates are the default; a flag overrides them.
	one, onePreds, _ := evalReport(t, "-m", tinyCLIP(t), "--dataset", dir, "--template", "This is a photo of {}.")
	require.Equal(t, 1, one.Prompts.Templates.Count)
	def, defPreds, _ := evalReport(t, "-m", tinyCLIP(t), "--dataset", testenv.CIFAR100(t), "--samples", "48")
	require.Equal(t, defPreds, onePreds)
	require.Equal(t, def.Prompts.Templates.SHA256, one.Prompts.Templates.SHA256)
}

// TestEvalSaveAndLoadHead saves the head of an 18-template run with OpenAI's
// names, evaluates again from the head alone, and refuses it for the
// quantized image tower.
func TestEvalSaveAndLoadHead(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	headPath := filepath.Join(t.TempDir(), "head.npy")
	a, aPreds, _ := evalReport(t, "-m", tinyCLIP(t), "--dataset", cifar, "--samples", "64",
		"--templates", "openai", "--classnames", "openai", "--save-head", headPath)
	require.Equal(t, 18, a.Prompts.Templates.Count)
	require.Equal(t, "openai", a.Prompts.Templates.Source)
	require.Equal(t, "openai", a.Prompts.ClassNames.Source)
	require.Equal(t, []string{"apple", "aquarium fish", "baby"}, a.Prompts.ClassNames.First)
	require.Equal(t, 1800, a.Prompts.ClassPrompts.Count)
	require.FileExists(t, filepath.Join(filepath.Dir(headPath), "head.json"))

	b, bPreds, _ := evalReport(t, "-m", tinyCLIP(t), "--dataset", cifar, "--samples", "64", "--head", headPath)
	require.Equal(t, aPreds, bPreds)
	require.Equal(t, a.Prompts.ClassNames.SHA256, b.Prompts.ClassNames.SHA256)
	require.Equal(t, a.Prompts.ClassPrompts.SHA256, b.Prompts.ClassPrompts.SHA256)

	code, _, stderr := runCLI(t, "eval", "--quiet", "-m", tinyCLIP(t), "--variant", "quantized", "--dataset", cifar, "--samples", "4", "--head", headPath)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "was made for another image-encoder")
}

// TestEvalPromptBadInput covers the template, class-name, CuPL, head and
// shard mistakes a user makes.
func TestEvalPromptBadInput(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	noBrace := write("nobrace.txt", "a photo of a {}.\na photo.\n")
	empty := write("empty.txt", "")
	three := write("three.txt", "a\nb\nc\n")
	cupl := write("cupl.json", `{"apple": ["An apple."], "aquarium fish": ["A fish."]}`)
	headPath := filepath.Join(dir, "h.npy")
	base := []string{"eval", "--quiet", "-m", tinyCLIP(t), "--dataset", cifar, "--samples", "4"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"template without braces", []string{"--templates", noBrace}, `line 2 "a photo.": no {} or {c} for the class name`},
		{"one template without braces", []string{"--template", "a photo"}, `--template "a photo": no {} or {c}`},
		{"empty template file", []string{"--templates", empty}, "empty.txt: the file is empty"},
		{"class-name count", []string{"--classnames", three}, "three.txt: 3 names, but the dataset has 100 classes"},
		{"openai names for 100 classes only", []string{"--classnames", "openai", "--column", "label_column=coarse_label"}, "but the dataset has 20 classes"},
		{"CuPL missing classes", []string{"--prompts", cupl}, "class prompts name 2 of 100 classes; missing: 2 \"baby\""},
		{"template and templates", []string{"--template", "a {}", "--templates", "openai"}, "not both"},
		{"prompts and templates", []string{"--prompts", cupl, "--templates", "openai"}, "drop --template and --templates"},
		{"head and templates", []string{"--head", headPath, "--templates", "openai"}, "--head fixes the class names and prompts: drop --templates"},
		{"missing head", []string{"--head", headPath}, "h.npy"},
		{"head not npy", []string{"--save-head", filepath.Join(dir, "h.bin")}, "must end in .npy"},
		{"head over the report", []string{"--save-head", filepath.Join(dir, "r.npy"), "--output", filepath.Join(dir, "r.json")}, "would overwrite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append(base, tt.args...)...)
			require.Equal(t, 1, code, stderr)
			require.Contains(t, stderr, tt.want)
			require.NotContains(t, stderr, "goroutine")
		})
	}

	// Repeated templates are legal, with a warning.
	dup := write("dup.txt", "a photo of a {}.\nthe {}.\na photo of a {}.\n")
	code, _, stderr := runCLI(t, append(base, "--templates", dup)...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "warning: templates "+dup+": line 3 repeats line 1")
}

// TestEvalTruncatedShard cuts the WebDataset fixture's last shard short:
// --strict stops, naming shard and key; otherwise the run goes on without
// the samples lost, and counts the damage as a failure.
func TestEvalTruncatedShard(t *testing.T) {
	dir := buildWDS(t)
	shard := filepath.Join(dir, "test", "2.tar")
	st, err := os.Stat(shard)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(shard, st.Size()/2))
	code, _, stderr := runCLI(t, "eval", "--quiet", "-m", tinyCLIP(t), "--dataset", dir, "--strict")
	require.Equal(t, 1, code)
	require.Regexp(t, `shard test/2\.tar, key s00000\d\d: truncated: member s00000\d\d\.png needs`, stderr)

	rep, preds, stderr := evalReport(t, "-m", tinyCLIP(t), "--dataset", dir)
	require.Regexp(t, `warning: 1 image\(s\) could not be read or decoded and were skipped; first: row \d+: shard test/2\.tar, key s00000\d\d: truncated`, stderr)
	require.Len(t, rep.Failures, 1)
	require.Greater(t, len(preds), 32) // the first two shards, and the start of the third
	require.Less(t, len(preds), 47)
}

// TestEvalWebDatasetFromHub evaluates a clip-benchmark/wds_* repository on a
// fake Hub, online then offline.
func TestEvalWebDatasetFromHub(t *testing.T) {
	files := readTree(t, buildWDS(t))
	files["README.md"] = []byte("# wds\n")
	srv := hubtest.NewServer(t, map[string]map[string][]byte{"datasets/clip-benchmark/wds_mini": files})
	home := t.TempDir()
	t.Setenv("HF_ENDPOINT", srv.URL)
	t.Setenv("HF_HOME", home)
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("HF_TOKEN", "")
	args := []string{"-m", tinyCLIP(t), "--dataset", "clip-benchmark/wds_mini", "--split", "test"}
	online, onlinePreds, _ := evalReport(t, args...)
	require.Len(t, onlinePreds, 48)
	// fetch downloads the split without evaluating, and prints its snapshot.
	code, stdout, stderr := runCLI(t, "fetch", "--dataset", "clip-benchmark/wds_mini", "--split", "test")
	require.Equal(t, 0, code, stderr)
	require.FileExists(t, filepath.Join(strings.TrimSpace(stdout), "test", "2.tar"))
	require.Equal(t, 3, online.Prompts.Templates.Count)
	srv.Close()
	t.Setenv("HF_HUB_OFFLINE", "1")
	offline, offlinePreds, _ := evalReport(t, args...)
	require.Equal(t, onlinePreds, offlinePreds)
	require.Equal(t, online.Metrics, offline.Metrics)
}

// TestClassifyTemplatesAndHead ranks labels with OpenAI's 18 templates,
// saves that head, and ranks again from the head alone: the same output.
func TestClassifyTemplatesAndHead(t *testing.T) {
	img, truth := cifarImage(t, 3)
	labels := strings.Join([]string{truth, "maple_tree", "rocket", "sunflower"}, ",")
	headPath := filepath.Join(t.TempDir(), "head.npy")
	code, single, stderr := runCLI(t, "classify", "-m", tinyCLIP(t), img, "--labels", labels, "--json")
	require.Equal(t, 0, code, stderr)
	code, ens, stderr := runCLI(t, "classify", "-m", tinyCLIP(t), img, "--labels", labels, "--json", "--templates", "openai", "--save-head", headPath)
	require.Equal(t, 0, code, stderr)
	require.NotEqual(t, single, ens)
	require.Contains(t, ens, `"label":"maple_tree"`) // labels are printed, and prompted, as given
	code, fromHead, stderr := runCLI(t, "classify", "-m", tinyCLIP(t), img, "--json", "--head", headPath)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, ens, fromHead)

	code, _, stderr = runCLI(t, "classify", "-m", tinyCLIP(t), img, "--labels", labels, "--head", headPath)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "drop --classnames and --head, or --labels")
	code, _, stderr = runCLI(t, "classify", "-m", tinyCLIP(t), img, "--classnames", "openai")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "name openai-cifar100 or openai-cifar10")
}
