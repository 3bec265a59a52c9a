package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
)

// TestEvalStrictDeviceCPU checks that --strict-device is accepted on the
// CPU, that the report names the provider and the strict setting, and
// that its timings split the cold start from the warm runs: 64 images in
// batches of 16 make one cold run of 16 and 48 warm images.
func TestEvalStrictDeviceCPU(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	reportPath := filepath.Join(t.TempDir(), "report.json")
	code, _, stderr := runCLI(t, "eval", "-m", tinyCLIP(t), "--dataset", cifar, "--samples", "64",
		"--batch-size", "16", "--strict-device", "--output", reportPath)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "device cpu (ONNX Runtime's CPU provider, no CPU fallback): sessions opened in")
	require.Contains(t, stderr, "for 16 image(s) (cold), then")

	var rep report
	data, err := os.ReadFile(reportPath)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	require.Equal(t, "cpu", rep.Device)
	require.Equal(t, "CPU", rep.ExecutionProvider)
	require.True(t, rep.StrictDevice)
	tm := rep.Timings
	require.Greater(t, tm.OpenS, 0.0)
	require.Greater(t, tm.ImageTowerColdMS, 0.0)
	require.Equal(t, 16, tm.ImageTowerColdBatch)
	require.Greater(t, tm.ImageTowerWarmPerImgMS, 0.0)
	// The tower's warm time per image is part of the whole path's, where
	// up to Streams tower runs overlap.
	require.Positive(t, tm.Streams)
	require.Less(t, tm.ImageTowerWarmPerImgMS, tm.PerImageMS*float64(tm.Streams))
}

func TestEvalDeviceOptions(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--device-options", "backend_path"}, `--device-options: provider option "backend_path": want key=value`},
		{[]string{"--device-options", "x=1"}, "device cpu: its provider takes no provider options"},
		{[]string{"--device", "qnn", "--device-options", "backend_path=/opt/qnn/libQnnHtp.so", "--strict-device"}, "this ONNX Runtime library has no QNN provider"},
	} {
		args := append([]string{"eval", "-m", tinyCLIP(t), "--dataset", cifar, "--samples", "4"}, tt.args...)
		code, _, stderr := runCLI(t, args...)
		require.NotEqual(t, 0, code)
		require.Contains(t, stderr, tt.want)
	}
}

// TestEvalOneBatchNoWarm checks that a run of one batch says it has no
// warm run, rather than a warm time of zero.
func TestEvalOneBatchNoWarm(t *testing.T) {
	code, _, stderr := runCLI(t, "eval", "-m", tinyCLIP(t), "--dataset", testenv.CIFAR100(t), "--samples", "8")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "for 8 image(s) (cold), no warm run (one batch)")
}
