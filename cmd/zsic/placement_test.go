package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic"
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

// fakePlacer is a placer that returns pl and err, counting its calls.
type fakePlacer struct {
	pl    zsic.Placements
	err   error
	calls int
}

func (f *fakePlacer) Placement() (zsic.Placements, error) {
	f.calls++
	return f.pl, f.err
}

// TestPlacementMeasure covers measure's branches off the CPU, which the
// tests cannot reach with a real device: on by default, the fallback
// warning, and a failure that is a warning by default and an error when
// --placement asked for it.
func TestPlacementMeasure(t *testing.T) {
	whole := zsic.Placements{zsic.ImageEncoder: {Provider: "CUDA", Nodes: map[string]int{"CUDA": 40}}}
	fellBack := zsic.Placements{zsic.ImageEncoder: {Provider: "CUDA", Nodes: map[string]int{"CUDA": 40, "CPU": 3}}}
	broken := errors.New("profile unreadable")
	for _, tc := range []struct {
		name    string
		flag    placementFlag
		device  string
		pl      zsic.Placements
		err     error
		calls   int
		want    zsic.Placements
		wantErr string
		warn    string
	}{
		{"cpu by default: not measured", placementFlag{}, "cpu", whole, nil, 0, nil, "", ""},
		{"cuda by default: measured", placementFlag{}, "cuda", whole, nil, 1, whole, "", ""},
		{"cuda, --placement=false", placementFlag{set: true}, "cuda", whole, nil, 0, nil, "", ""},
		{"cpu, --placement", placementFlag{set: true, on: true}, "cpu", whole, nil, 1, whole, "", ""},
		{"fallback warned", placementFlag{}, "cuda", fellBack, nil, 1, fellBack,
			"", "warning: ONNX Runtime ran 3 node(s) on other providers than CUDA (image-encoder CUDA 40, CPU 3); --strict-device refuses such a graph"},
		{"failure by default: a warning", placementFlag{}, "cuda", nil, broken, 1, nil, "", "warning: placement not measured: profile unreadable"},
		{"failure asked for: an error", placementFlag{set: true, on: true}, "cuda", nil, broken, 1, nil, "--placement: profile unreadable", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakePlacer{pl: tc.pl, err: tc.err}
			var stderr strings.Builder
			got, err := tc.flag.measure(f, tc.device, &stderr)
			require.Equal(t, tc.calls, f.calls)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			if tc.warn == "" {
				require.Empty(t, stderr.String())
			} else {
				require.Equal(t, tc.warn+"\n", stderr.String())
			}
		})
	}
}
