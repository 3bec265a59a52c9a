package encoder

import (
	"testing"

	"github.com/stretchr/testify/require"
	ort "github.com/yalue/onnxruntime_go"
)

// TestStrictDeviceOption checks that StrictDevice reaches ONNX Runtime's
// session options as session.disable_cpu_ep_fallback=1, read back through
// onnxruntime_go, on every device but the CPU, and that it is absent
// otherwise.
func TestStrictDeviceOption(t *testing.T) {
	_ = newRuntime(t)
	for _, tt := range []struct {
		device string
		strict bool
		want   bool
	}{
		{"cuda", false, false},
		{"qnn", true, true},
		{"cuda", true, true},
		{"cpu", true, false}, // nothing to fall back from
		{"", true, false},
	} {
		so, err := ort.NewSessionOptions()
		require.NoError(t, err)
		require.NoError(t, setStrict(so, Options{Device: tt.device, StrictDevice: tt.strict}))
		has, err := so.HasSessionConfigEntry(DisableCPUFallback)
		require.NoError(t, err)
		require.Equal(t, tt.want, has, "%+v", tt)
		if tt.want {
			v, err := so.GetSessionConfigEntry(DisableCPUFallback)
			require.NoError(t, err)
			require.Equal(t, "1", v)
		}
		require.NoError(t, so.Destroy())
	}
}

// TestStrictDeviceCPU checks that the CPU provider, which runs every node,
// accepts StrictDevice, set on the session or as the runtime's default.
func TestStrictDeviceCPU(t *testing.T) {
	e, err := OpenImage(newRuntime(t), graph(t, "image_dynamic"), Options{Device: "cpu", StrictDevice: true})
	require.NoError(t, err)
	require.NoError(t, e.Close())

	rt, err := NewRuntime(RuntimeOptions{Device: "cpu", StrictDevice: true})
	require.NoError(t, err)
	defer func() { require.NoError(t, rt.Close()) }()
	require.True(t, rt.defaults(Options{}).StrictDevice)
	require.NoError(t, rt.CheckDevice())
	embedOne(t, rt)
}

// TestCheckDevice checks that a runtime whose default device the library
// lacks says so before any session opens, naming the provider.
func TestCheckDevice(t *testing.T) {
	_ = newRuntime(t) // holds the environment open
	for _, tt := range []struct {
		device string
		po     map[string]string
		err    string
	}{
		{"cpu", nil, ""},
		{"cuda", nil, "device cuda: its execution provider is not available: this ONNX Runtime library has no CUDA provider"},
		{"qnn", map[string]string{"backend_path": "/opt/qnn/libQnnHtp.so"}, "this ONNX Runtime library has no QNN provider"},
		{"cpu", map[string]string{"x": "1"}, "device cpu: its provider takes no provider options"},
	} {
		t.Run(tt.device, func(t *testing.T) {
			rt, err := NewRuntime(RuntimeOptions{Device: tt.device, ProviderOptions: tt.po})
			require.NoError(t, err)
			defer func() { require.NoError(t, rt.Close()) }()
			err = rt.CheckDevice()
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.err)
		})
	}
}
