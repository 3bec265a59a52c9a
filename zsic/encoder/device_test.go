package encoder

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseDevice(t *testing.T) {
	tests := []struct {
		device, name string
		id           int
		err          string
	}{
		{"", "", 0, ""},
		{"cpu", "cpu", 0, ""},
		{"directml", "directml", 0, ""},
		{"directml:1", "directml", 1, ""},
		{"directml:-1", "", 0, `device "directml:-1": the device id must be a whole number ≥ 0`},
		{"directml:gpu", "", 0, `device "directml:gpu": the device id must be a whole number ≥ 0`},
		{"cuda:1", "", 0, `device "cuda:1": only directml takes a device id (directml:N)`},
	}
	for _, tt := range tests {
		t.Run(tt.device, func(t *testing.T) {
			name, id, err := parseDevice(tt.device)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.name, name)
			require.Equal(t, tt.id, id)
		})
	}
}

func TestDirectMLError(t *testing.T) {
	// What ONNX Runtime 1.24.3's onnxruntime.dll says under Wine, which has
	// no DirectX 12 device (887A0004 is DXGI_ERROR_UNSUPPORTED).
	noDevice := errors.New(`E:\_work\1\s\onnxruntime\core\providers\dml\dml_provider_factory.cc(510)\onnxruntime.dll!00000001800EA570: (caller: 00000001800EA8AA) Exception(1) tid(130) 887A0004`)
	err := directMLError("directml:1", 1, noDevice)
	require.ErrorContains(t, err, "device directml:1: no DirectX 12 device for DirectML (adapter 1): this ONNX Runtime library has the DirectML provider, but it needs a GPU or NPU with a DirectX 12 driver")
	require.ErrorIs(t, err, noDevice)
	require.NotContains(t, err.Error(), "not available")

	// What a library built without DirectML says (the Linux x64 one).
	noProvider := errors.New("Specified provider is not supported.")
	err = directMLError("directml", 0, noProvider)
	require.ErrorContains(t, err, "device directml: its execution provider is not available: this ONNX Runtime library has no DirectML provider")
}
