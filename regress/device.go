package regress

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/encoder"
	"github.com/zsic/zsic/zsic/ortlib"
)

// The environment variables that choose the device the suite runs on.
const (
	// DeviceEnv names the execution provider of every case and benchmark:
	// one of zsic.Devices(), "cpu" when unset.
	DeviceEnv = "ZSIC_DEVICE"
	// DeviceOptionsEnv holds the provider's options as comma-separated
	// key=value pairs, e.g. "backend_path=/opt/qnn/lib/libQnnHtp.so".
	DeviceOptionsEnv = "ZSIC_DEVICE_OPTIONS"
	// StrictDeviceEnv, set to 1, forbids ONNX Runtime to run on the CPU
	// the nodes the device's provider cannot (session.disable_cpu_ep_fallback).
	StrictDeviceEnv = "ZSIC_STRICT_DEVICE"
)

// CPU is the device of the golden files at the top of GoldenDir.
const CPU = "cpu"

// RuntimeFromEnv returns the runtime options that DeviceEnv,
// DeviceOptionsEnv, StrictDeviceEnv and ortlib.EnvVar (ONNXRUNTIME_LIB,
// the library) set.
func RuntimeFromEnv() (zsic.RuntimeOptions, error) {
	opt := zsic.RuntimeOptions{Library: os.Getenv(ortlib.EnvVar), Device: os.Getenv(DeviceEnv)}
	if opt.Device == "" {
		opt.Device = CPU
	}
	po, err := encoder.ParseProviderOptions(os.Getenv(DeviceOptionsEnv))
	if err != nil {
		return opt, fmt.Errorf("%s: %w", DeviceOptionsEnv, err)
	}
	opt.ProviderOptions = po
	switch s := os.Getenv(StrictDeviceEnv); s {
	case "", "0":
	case "1":
		opt.StrictDevice = true
	default:
		return opt, fmt.Errorf("%s=%q: want 1 or 0", StrictDeviceEnv, s)
	}
	return opt, nil
}

// Device returns the device the suite runs on: Runtime.Device, "cpu" when
// unset.
func (e Env) Device() string { return deviceOf(e.Runtime.Device) }

// deviceOf returns d, or "cpu" when d is empty.
func deviceOf(d string) string {
	if d == "" {
		return CPU
	}
	return d
}

// DeviceDir returns the folder, under GoldenDir, of a device's goldens:
// the device's name with "-" for ":" (golden/directml-1 for directml:1);
// "" for the CPU, whose goldens are GoldenDir's own files.
func DeviceDir(device string) string {
	if d := deviceOf(device); d != CPU {
		return strings.ReplaceAll(d, ":", "-")
	}
	return ""
}

// TestName returns the subtest name of a case under its family's test:
// the case's path on the CPU ("tiny-clip/int8"), the path and the device
// elsewhere ("tiny-clip/int8/qnn"), so -run selects either.
func (e Env) TestName(c Case) string {
	if d := e.Device(); d != CPU {
		return c.Path + "/" + d
	}
	return c.Path
}

// GoldenPath returns the path of a case's golden on the suite's device:
// golden/NAME.golden.json on the CPU, golden/DEVICE/NAME.golden.json
// elsewhere. `make golden` writes it.
func (e Env) GoldenPath(c Case) string {
	return filepath.Join(e.Root, GoldenDir, DeviceDir(e.Device()), c.GoldenName()+GoldenSuffix)
}

// GoldenFor returns the golden a run on the suite's device is compared
// with: the device's own golden when there is one (cross false), else the
// CPU golden, to be compared under CrossDeviceBand (cross true).
func (e Env) GoldenFor(c Case) (path string, cross bool) {
	own := e.GoldenPath(c)
	if e.Device() == CPU {
		return own, false
	}
	if _, err := os.Stat(own); err == nil {
		return own, false
	}
	return filepath.Join(e.Root, GoldenDir, c.GoldenName()+GoldenSuffix), true
}

// crossSigmas is the half-width, in standard errors of the paired
// difference, that CrossDeviceBand adds to a case's accuracy bands: 95%
// two-sided.
const crossSigmas = 1.96

// CrossDeviceBand returns the band of a run on another device than the
// one that recorded golden g of case c, when that device has no golden of
// its own.
//
// Another device runs the same graph with its own kernels: fused or
// reordered float arithmetic (TF32 on a GPU), or its own integer kernels
// and requantization on an NPU. That is the kind of difference between a
// case's fp32 and int8 towers on the CPU, which the quantization budget
// (BudgetFor) bounds from paired runs on the same samples, so the
// agreement floor is that budget's: at least 95% of the fixtures' (and
// twins') top-1 labels kept, 85% of a real model's. When at most a share d
// of n samples flip, the paired difference of top-1 accuracy has a
// standard error of at most √(d/n) (McNemar's: √(b+c)/n with b+c ≤ d·n),
// so each accuracy band is the case's own band, which sizes a rerun's
// drift, widened by 1.96 of those standard errors, rounded up to whole
// samples.
func CrossDeviceBand(c Case, g *Golden) Band {
	own := c.Policy.Band(g.Samples, g.Metrics)
	floor := BudgetFor(c).MinAgreement
	n := g.Samples
	se := 100 * math.Sqrt((100-floor)/100/float64(n))
	b := Band{
		Top1:         ceilToSamples(own.Top1+crossSigmas*se, n),
		Top5:         ceilToSamples(own.Top5+crossSigmas*se, n),
		MinAgreement: floor,
	}
	b.Reason = fmt.Sprintf("cross-device band (the golden was recorded on %s; record one on this device with `make golden ZSIC_DEVICE=...` to gate it tightly): top-1 ±%.4g and top-5 ±%.4g pts: the case's own band (±%.4g, ±%.4g) widened by %.4g standard errors (σ %.2f pts) of the paired difference when up to %.4g%% of %d samples flip; top-1 agreement ≥ %.4g%%: the quantization budget's floor, another set of kernels for the same graph",
		deviceOf(g.Device), b.Top1, b.Top5, own.Top1, own.Top5, crossSigmas, se, 100-floor, n, floor)
	return b
}
