package encoder

import (
	"fmt"
	"strconv"
	"strings"
)

// parseDevice splits an Options.Device value, "name" or "name:id", into the
// provider's name and the device id (0 when absent). Only directml takes an
// id: the DirectML adapter index, in the order DXGI lists adapters.
func parseDevice(device string) (name string, id int, err error) {
	name, ids, ok := strings.Cut(device, ":")
	if !ok {
		return name, 0, nil
	}
	if name != "directml" {
		return "", 0, fmt.Errorf("device %q: only directml takes a device id (directml:N)", device)
	}
	id, err = strconv.Atoi(ids)
	if err != nil || id < 0 {
		return "", 0, fmt.Errorf("device %q: the device id must be a whole number ≥ 0, the adapter's index", device)
	}
	return name, id, nil
}

// noDirectX12 reports whether err, from appending the DirectML provider,
// says that no DirectX 12 device could be created, rather than that the
// library lacks the provider. ONNX Runtime then reports a DXGI or Direct3D 12
// HRESULT (0x887Axxxx) from dml_provider_factory.cc.
func noDirectX12(err error) bool {
	msg := strings.ToUpper(err.Error())
	for _, s := range []string{"887A00", "DXGI", "D3D12", "DML_PROVIDER_FACTORY"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// directMLError explains an error from appending the DirectML provider for
// adapter id.
func directMLError(device string, id int, err error) error {
	if noDirectX12(err) {
		return fmt.Errorf("device %s: no DirectX 12 device for DirectML (adapter %d): this ONNX Runtime library has the DirectML provider, but it needs a GPU or NPU with a DirectX 12 driver: %w", device, id, err)
	}
	return &DeviceError{Device: device, Err: err}
}

// ParseProviderOptions parses an execution provider's options written
// as comma-separated key=value pairs (ZSIC_DEVICE_OPTIONS, --device-options);
// "" gives nil.
func ParseProviderOptions(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	po := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("provider option %q: want key=value", kv)
		}
		if _, dup := po[k]; dup {
			return nil, fmt.Errorf("provider option %s given twice", k)
		}
		po[k] = strings.TrimSpace(v)
	}
	return po, nil
}
