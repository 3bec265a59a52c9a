package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
)

func TestEvalThreadsWorkersFlags(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--workers", "-1"}, "--workers -1: want 0 (choose from the core count) to 1024"},
		{[]string{"--threads", "-2"}, "--threads -2: want 0 (choose from the core count) to 1024"},
		{[]string{"--workers", "100000"}, "--workers 100000: want 0"},
		{[]string{"--workers", "two"}, `invalid value "two" for flag -workers`},
		{[]string{"--streams", "-1"}, "--streams -1: want 0 (choose from the core count) to 1024"},
		{[]string{"--streams", "5000"}, "--streams 5000: want 0"},
	} {
		code, _, stderr := runCLI(t, append([]string{"eval", "--quiet", "-m", tinyCLIP(t), "--dataset", cifar}, tt.args...)...)
		require.NotZero(t, code)
		require.Contains(t, stderr, tt.want)
	}
}

// TestEvalTimingsAndProfile checks the report's timings object and that
// --profile writes a CPU profile.
func TestEvalTimingsAndProfile(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	dir := t.TempDir()
	reportPath, profile := filepath.Join(dir, "report.json"), filepath.Join(dir, "cpu.prof")
	code, _, stderr := runCLI(t, "eval", "--quiet", "-m", tinyCLIP(t), "--dataset", cifar, "--samples", "64",
		"--threads", "1", "--workers", "3", "--streams", "2", "--output", reportPath, "--profile", profile)
	require.Equal(t, 0, code, stderr)
	var raw struct {
		Timings map[string]json.RawMessage `json:"timings"`
	}
	require.NoError(t, json.Unmarshal([]byte(readFile(t, reportPath)), &raw))
	var got []string
	for k := range raw.Timings {
		got = append(got, k)
	}
	require.ElementsMatch(t, []string{"text_encode_s", "image_encode_s", "per_image_ms", "wall_s", "wall_per_image_ms", "stages",
		"cpu_s", "cpu_per_image_ms", "cpu_use_percent", "peak_rss_mib", "cores", "threads", "workers", "streams",
		"open_s", "image_tower_cold_ms", "image_tower_cold_batch", "image_tower_warm_per_image_ms"}, got)
	var rep report
	require.NoError(t, json.Unmarshal([]byte(readFile(t, reportPath)), &rep))
	tm := rep.Timings
	require.Equal(t, 1, tm.Threads)
	require.Equal(t, 3, tm.Workers)
	require.Equal(t, 2, tm.Streams)
	require.Positive(t, tm.WallS)
	require.GreaterOrEqual(t, tm.WallS, tm.ImageEncodeS)
	require.Positive(t, tm.Stages.DecodeS)
	require.Positive(t, tm.Stages.PreprocessS)
	require.Positive(t, tm.Stages.ImageTowerS)
	require.Positive(t, tm.Stages.TextTowerS)
	require.Positive(t, tm.CPUS)
	require.Positive(t, tm.PeakRSSMiB)
	require.InDelta(t, 1000*tm.WallS/64, tm.WallPerImageMS, 1e-6)
	data, err := os.ReadFile(profile)
	require.NoError(t, err)
	require.NotEmpty(t, data, "a CPU profile (gzipped protobuf)")
	require.Equal(t, []byte{0x1f, 0x8b}, data[:2])

	code, _, stderr = runCLI(t, "eval", "--quiet", "-m", tinyCLIP(t), "--dataset", cifar, "--samples", "4",
		"--profile", filepath.Join(dir, "no", "such", "dir", "cpu.prof"))
	require.NotZero(t, code)
	require.True(t, strings.Contains(stderr, "--profile") && strings.Contains(stderr, "no such file"), stderr)
}

func TestSetGCPercent(t *testing.T) {
	prev := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(prev) })
	setGCPercent(func(string) string { return "" })
	require.Equal(t, gcPercent, debug.SetGCPercent(100), "no GOGC: zsic's target")
	setGCPercent(func(k string) string { return map[string]string{"GOGC": "200"}[k] })
	require.Equal(t, 100, debug.SetGCPercent(100), "GOGC set: left alone")
}
