package regress

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
)

func TestRuntimeFromEnv(t *testing.T) {
	tests := []struct {
		device, options, strict, lib string
		wantDevice                   string
		wantOptions                  map[string]string
		wantStrict                   bool
		err                          string
	}{
		{wantDevice: "cpu"},
		{device: "qnn", options: "backend_path=/opt/qnn/libQnnHtp.so, htp_performance_mode=burst", strict: "1", lib: "/opt/ort/libonnxruntime.so",
			wantDevice: "qnn", wantOptions: map[string]string{"backend_path": "/opt/qnn/libQnnHtp.so", "htp_performance_mode": "burst"}, wantStrict: true},
		{device: "cuda", strict: "0", wantDevice: "cuda"},
		{options: "backend_path", err: `ZSIC_DEVICE_OPTIONS: provider option "backend_path": want key=value`},
		{options: "a=1,a=2", err: "ZSIC_DEVICE_OPTIONS: provider option a given twice"},
		{strict: "yes", err: `ZSIC_STRICT_DEVICE="yes": want 1 or 0`},
	}
	for _, tt := range tests {
		t.Run(tt.device+tt.options+tt.strict, func(t *testing.T) {
			t.Setenv(DeviceEnv, tt.device)
			t.Setenv(DeviceOptionsEnv, tt.options)
			t.Setenv(StrictDeviceEnv, tt.strict)
			t.Setenv("ONNXRUNTIME_LIB", tt.lib)
			opt, err := RuntimeFromEnv()
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantDevice, opt.Device)
			require.Equal(t, tt.wantOptions, opt.ProviderOptions)
			require.Equal(t, tt.wantStrict, opt.StrictDevice)
			require.Equal(t, tt.lib, opt.Library)
		})
	}
}

// TestGoldenFor checks golden selection: a device's own golden when it
// exists, else the CPU golden under the cross-device band.
func TestGoldenFor(t *testing.T) {
	root := t.TempDir()
	c := Cases()[1] // CLIP/tiny-clip/int8
	name := c.GoldenName() + GoldenSuffix
	cpuGolden := filepath.Join(root, GoldenDir, name)
	for _, tt := range []struct {
		device, own, test string
	}{
		{"", cpuGolden, "tiny-clip/int8"},
		{"cpu", cpuGolden, "tiny-clip/int8"},
		{"qnn", filepath.Join(root, GoldenDir, "qnn", name), "tiny-clip/int8/qnn"},
		{"directml:1", filepath.Join(root, GoldenDir, "directml-1", name), "tiny-clip/int8/directml:1"},
	} {
		t.Run(tt.device, func(t *testing.T) {
			env := Env{Root: root}
			env.Runtime.Device = tt.device
			require.Equal(t, tt.own, env.GoldenPath(c))
			require.Equal(t, tt.test, env.TestName(c))
			path, cross := env.GoldenFor(c)
			if env.Device() == CPU {
				require.Equal(t, cpuGolden, path)
				require.False(t, cross)
				return
			}
			require.Equal(t, cpuGolden, path, "no device golden yet: the CPU's")
			require.True(t, cross)
			require.NoError(t, os.MkdirAll(filepath.Dir(tt.own), 0o755))
			require.NoError(t, os.WriteFile(tt.own, []byte("{}"), 0o644))
			path, cross = env.GoldenFor(c)
			require.Equal(t, tt.own, path, "the device's own golden once recorded")
			require.False(t, cross)
		})
	}
}

// recorded reads a checked-in CPU golden.
func recorded(t *testing.T, name string) *Golden {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.Root(t), GoldenDir, name+GoldenSuffix))
	require.NoError(t, err)
	g, err := DecodeGolden(data)
	require.NoError(t, err)
	return g
}

// asDevice returns run relabeled as a run of golden's case on device: the
// same case, towers and sample, with run's predictions and metrics.
func asDevice(golden, run *Golden, device string) *Golden {
	g := *run
	g.Case, g.Model, g.Device = golden.Case, golden.Model, device
	return &g
}

// TestCrossDeviceBandRecordedPairs stands the fixtures' recorded fp32 and
// int8 runs in for two devices running one graph with different kernels:
// the cross-device band accepts either against the other, while it is
// wider than the case's own band.
func TestCrossDeviceBandRecordedPairs(t *testing.T) {
	byName := map[string]Case{}
	for _, c := range Cases() {
		byName[c.GoldenName()] = c
	}
	for _, model := range []string{"clip-tiny-clip", "siglip-tiny-siglip"} {
		fp32, int8 := recorded(t, model+"-fp32"), recorded(t, model+"-int8")
		for _, pair := range [][2]*Golden{{fp32, int8}, {int8, fp32}} {
			golden, run := pair[0], asDevice(pair[0], pair[1], "npu-stand-in")
			c := byName[model+"-"+golden.Model.Variant]
			if golden.Model.Variant == "quantized" {
				c = byName[model+"-int8"]
			}
			t.Run(c.Name(), func(t *testing.T) {
				band := CrossDeviceBand(c, golden)
				own := c.Policy.Band(golden.Samples, golden.Metrics)
				require.Greater(t, band.Top1, own.Top1)
				require.Greater(t, band.Top5, own.Top5)
				require.Less(t, band.MinAgreement, own.MinAgreement)
				require.Contains(t, band.Reason, "cross-device band (the golden was recorded on cpu")
				r := Compare(golden, run, band)
				require.True(t, r.OK(), "%s", r)
				require.Contains(t, r.String(), "ran on npu-stand-in, the golden was recorded on cpu")
				t.Log(r)

				// Half the top-1 labels moved to the next class: far past
				// the floor, as a channel swap or wrong normalization is.
				bad := *run
				bad.Predictions = append([]Record(nil), run.Predictions...)
				for i := range bad.Predictions {
					if i%2 == 0 {
						p := bad.Predictions[i]
						p.Top5 = append([]int{(p.Top1() + 1) % 100}, p.Top5[1:]...)
						bad.Predictions[i] = p
					}
				}
				require.False(t, Compare(golden, &bad, band).OK())
			})
		}
	}
}

// TestCrossDeviceBandWidths pins the widths for the fixtures' sample
// size: 1000 samples, at most 5% flips, so 1.96·√(0.05/1000) = 1.39 pts
// are added to each band.
func TestCrossDeviceBandWidths(t *testing.T) {
	c := Cases()[0]
	g := &Golden{Summary: Summary{Samples: 1000}}
	g.Metrics.Top1, g.Metrics.Top5 = 28.2, 60
	own := c.Policy.Band(g.Samples, g.Metrics)
	b := CrossDeviceBand(c, g)
	require.Equal(t, float64(95), b.MinAgreement)
	require.InDelta(t, own.Top1+1.4, b.Top1, 0.1001)
	require.InDelta(t, own.Top5+1.4, b.Top5, 0.1001)
}
