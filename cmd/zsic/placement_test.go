package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	runreport "github.com/zsic/zsic/zsic/report"
)

// TestEvalPlacement checks --placement on the CPU, where it is off by
// default: forced on, stderr and the report count every node of both
// towers on the CPU provider; by default and with --placement=false,
// neither mentions placement.
func TestEvalPlacement(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	line := regexp.MustCompile(`placement \(nodes by execution provider, from one profiling run per tower\): image-encoder CPU ([0-9]+); text-encoder CPU ([0-9]+)\n`)
	for _, tt := range []struct {
		flags []string
		on    bool
	}{
		{[]string{"--placement"}, true},
		{[]string{"--placement=true", "--strict-device"}, true},
		{nil, false},
		{[]string{"--placement=false"}, false},
	} {
		t.Run(strconv.Quote(filepath.Join(tt.flags...)), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "report.json")
			args := append([]string{"eval", "-m", tinyCLIP(t), "--dataset", cifar, "--samples", "8", "--output", path}, tt.flags...)
			code, _, stderr := runCLI(t, args...)
			require.Equal(t, 0, code, stderr)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			var rep runreport.Report
			require.NoError(t, json.Unmarshal(data, &rep))
			require.NotContains(t, stderr, "warning")
			if !tt.on {
				require.NotContains(t, stderr, "placement")
				require.NotContains(t, string(data), `"placement"`)
				require.Nil(t, rep.Placement)
				return
			}
			m := line.FindStringSubmatch(stderr)
			require.NotNil(t, m, stderr)
			for i, role := range []string{"image-encoder", "text-encoder"} {
				n, err := strconv.Atoi(m[i+1])
				require.NoError(t, err)
				require.Greater(t, n, 0)
				require.Equal(t, runreport.Placement{Nodes: map[string]int{"CPU": n}, DeviceNodes: n}, rep.Placement[role], role)
			}
		})
	}
	code, _, stderr := runCLI(t, "eval", "-m", tinyCLIP(t), "--dataset", cifar, "--placement=maybe")
	require.NotEqual(t, 0, code)
	require.Contains(t, stderr, `invalid boolean value "maybe" for -placement: want true or false`)
}
