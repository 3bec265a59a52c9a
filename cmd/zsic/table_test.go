package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
)

// TestTable tabulates real reports: two models, a variant, a shard and a
// merged run, a repeated report, and a conflicting one.
func TestTable(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	dir := t.TempDir()
	eval := func(name string, args ...string) report {
		t.Helper()
		out := filepath.Join(dir, name+".json")
		code, _, stderr := runCLI(t, append([]string{"eval", "--dataset", cifar, "--quiet", "--batch-size", "8",
			"--output", out, "--predictions", filepath.Join(dir, name+".jsonl")}, args...)...)
		require.Equal(t, 0, code, stderr)
		var r report
		require.NoError(t, json.Unmarshal([]byte(readFile(t, out)), &r))
		return r
	}
	siglip := filepath.Join(testenv.Root(t), "fixtures", "models", "tiny-siglip")
	clip := eval("clip", "-m", tinyCLIP(t), "--samples", "30")
	eval("clip-q", "-m", tinyCLIP(t), "--variant", "quantized", "--samples", "30")
	eval("siglip", "-m", siglip, "--samples", "30")
	eval("siglip-shuffled", "-m", siglip, "--samples", "20", "--shuffle", "--seed", "5")
	eval("siglip-0", "-m", siglip, "--samples", "20", "--shuffle", "--seed", "5", "--shard", "0/2")
	eval("siglip-1", "-m", siglip, "--samples", "20", "--shuffle", "--seed", "5", "--shard", "1/2")
	code, _, stderr := runCLI(t, "merge", "--output", filepath.Join(dir, "siglip-merged.json"), filepath.Join(dir, "siglip-?.json"))
	require.Equal(t, 0, code, stderr)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "clip-copy.json"), []byte(readFile(t, filepath.Join(dir, "clip.json"))), 0o644))

	code, stdout, stderr := runCLI(t, "table", filepath.Join(dir, "*.json"))
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Equal(t, "| model | cifar100/test.parquet [20 shuffled, seed 5] | cifar100/test.parquet [first 30] |", lines[2])
	// The copy of clip.json and the merged run (equal to the single one)
	// collapse into their rows.
	var rows []string
	for _, l := range lines[4:] {
		rows = append(rows, strings.SplitN(l, " |", 2)[0])
	}
	require.Equal(t, []string{"| tiny-clip", "| tiny-clip (quantized)", "| tiny-siglip", "| tiny-siglip [shard 0/2]", "| tiny-siglip [shard 1/2]"}, rows)
	require.Contains(t, lines[4], " | "+pct(clip.Metrics.Top1)+" / "+pct(clip.Metrics.Top5)+" / "+pct(clip.Metrics.MeanPerClassRecall)+" (n = 30) |")
	require.True(t, strings.HasPrefix(lines[4], "| tiny-clip | |"), "tiny-clip has no shuffled run: %s", lines[4])

	code, stdout, stderr = runCLI(t, "table", "--csv", filepath.Join(dir, "clip.json"), filepath.Join(dir, "siglip-1.json"))
	require.Equal(t, 0, code, stderr)
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"model", "dataset", "samples", "top1_accuracy", "top5_accuracy", "mean_per_class_recall", "report"}, recs[0])
	require.Equal(t, []string{"tiny-clip", "cifar100/test.parquet [first 30]", "30", pct(clip.Metrics.Top1), pct(clip.Metrics.Top5), pct(clip.Metrics.MeanPerClassRecall), filepath.Join(dir, "clip.json")}, recs[1])
	require.Equal(t, "tiny-siglip [shard 1/2]", recs[2][0])

	// The same model and dataset with another template: other numbers.
	other := eval("clip-template", "-m", tinyCLIP(t), "--samples", "30", "--template", "a blurry photo of a {}.")
	require.NotEqual(t, clip.Metrics, other.Metrics)
	code, _, stderr = runCLI(t, "table", filepath.Join(dir, "clip.json"), filepath.Join(dir, "clip-template.json"))
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "1 conflicting duplicate(s), the same model and dataset with different results:")
	require.Contains(t, stderr, "tiny-clip on cifar100/test.parquet [first 30]: "+filepath.Join(dir, "clip.json")+" says top-1 "+pct(clip.Metrics.Top1))

	code, _, stderr = runCLI(t, "table")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "no reports")
	code, _, stderr = runCLI(t, "table", filepath.Join(dir, "clip.jsonl"))
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "clip.jsonl")
}

func TestMergeTableHelp(t *testing.T) {
	for _, cmd := range []string{"merge", "table"} {
		code, _, stderr := runCLI(t, cmd, "--help")
		require.Equal(t, 0, code)
		require.Contains(t, stderr, "Example:\n  zsic "+cmd)
	}
	code, _, stderr := runCLI(t, "merge", "a.json")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "no --output")
	code, _, stderr = runCLI(t, "merge", "--output", "x.json")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "no shard reports")
}
