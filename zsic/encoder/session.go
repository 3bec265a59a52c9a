package encoder

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"

	ort "github.com/yalue/onnxruntime_go"
)

// Options configures the ONNX Runtime session of a tower. Zero values take
// the Runtime's defaults.
type Options struct {
	// Threads is the number of intra-op threads; zero means the Runtime's
	// default.
	Threads int
	// Device is the execution provider, one of Devices() ("directml:N" for
	// DirectML adapter N); empty means the Runtime's default. A provider the
	// library lacks is an error, never a silent fallback to the CPU.
	Device string
	// ProviderOptions are the execution provider's own options, e.g. QNN's
	// backend_path or OpenVINO's device_type; nil means the Runtime's
	// default. The CPU provider takes none.
	ProviderOptions map[string]string
	// StrictDevice sets ONNX Runtime's session.disable_cpu_ep_fallback,
	// so that a graph the provider cannot run whole fails to load, naming
	// the provider, instead of running its other nodes on the CPU. It is
	// true when either Options or the Runtime's defaults set it. On the
	// CPU it is accepted and changes nothing.
	StrictDevice bool
	// NoSpin stops the intra-op threads from spinning while they wait for
	// work (session.intra_op.allow_spinning = 0), leaving the cores to other
	// goroutines between runs, such as zsic's decode workers.
	NoSpin bool
}

// Devices returns the accepted values of Options.Device.
func Devices() []string {
	return []string{"cpu", "cuda", "tensorrt", "openvino", "qnn", "coreml", "directml"}
}

// checkDevice reports a device that is not one of Devices() (or empty),
// or a malformed device id.
func checkDevice(device string) error {
	name, _, err := parseDevice(device)
	if err != nil {
		return err
	}
	if name == "" || slices.Contains(Devices(), name) {
		return nil
	}
	return &DeviceError{Device: device}
}

// DeviceError reports an execution provider that zsic does not know, or that
// the loaded ONNX Runtime library lacks (Err set).
type DeviceError struct {
	Device string
	Err    error // why the provider could not be added; nil when unknown
}

func (e *DeviceError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("unknown device %q (want one of %s)", e.Device, strings.Join(Devices(), ", "))
	}
	name, _, _ := parseDevice(e.Device)
	return fmt.Sprintf("device %s: its execution provider is not available: this ONNX Runtime library has no %s provider: %v", e.Device, ProviderName(name), e.Err)
}

// providers are the execution providers zsic knows, by device: ONNX
// Runtime's short name of each and the id it gives it in profiles and logs.
var providers = map[string]struct{ name, id string }{
	"cpu":      {"CPU", "CPUExecutionProvider"},
	"cuda":     {"CUDA", "CUDAExecutionProvider"},
	"tensorrt": {"TensorRT", "TensorrtExecutionProvider"},
	"openvino": {"OpenVINO", "OpenVINOExecutionProvider"},
	"qnn":      {"QNN", "QNNExecutionProvider"},
	"coreml":   {"CoreML", "CoreMLExecutionProvider"},
	"directml": {"DirectML", "DmlExecutionProvider"},
}

// ProviderName returns ONNX Runtime's short name of a device's execution
// provider ("CUDA" for "cuda", "QNN" for "qnn"), or the device itself when
// zsic does not know it.
func ProviderName(device string) string {
	name, _, _ := parseDevice(device)
	if name == "" {
		name = "cpu"
	}
	if p, ok := providers[name]; ok {
		return p.name
	}
	return device
}

func (e *DeviceError) Unwrap() error { return e.Err }

// IO describes one input or output of a graph.
type IO struct {
	Name  string  // tensor name
	Type  string  // element type: "float32", "float16", "int64", "int32", ...
	Shape []int64 // dimensions; -1 where dynamic
}

func (io IO) String() string {
	return fmt.Sprintf("%s %s%v", io.Name, io.Type, io.Shape)
}

// session is one ONNX graph opened for inference, running a single output.
type session struct {
	rt      *Runtime
	path    string
	role    string
	opt     Options // the options it was opened with, the Runtime's defaults applied
	s       *ort.DynamicAdvancedSession
	inputs  []IO
	outputs []IO
	feed    []IO // inputs fed, in session order
	out     IO   // the output returned
	clock   runClock
}

// openSession opens path for role ("image encoder" or "text encoder"),
// feeding the inputs that accept(name) keeps and returning the first of
// wantOut that the graph has. A profile prefix other than "" makes ONNX
// Runtime profile the session, writing PROFILE_<time>.json when it is
// destroyed (see Image.Placement).
func openSession(rt *Runtime, path, role string, opt Options, profile string, wantOut []string, accept func(IO) error) (s *session, err error) {
	opt = rt.defaults(opt)
	if err := checkDevice(opt.Device); err != nil {
		return nil, err
	}
	if err := rt.acquire(); err != nil {
		return nil, fmt.Errorf("load %s %s: %w", role, path, err)
	}
	defer func() {
		if err != nil {
			rt.release()
		}
	}()
	so, err := sessionOptions(opt)
	if err != nil {
		return nil, fmt.Errorf("load %s %s: %w", role, path, err)
	}
	defer so.Destroy()
	ins, outs, err := ort.GetInputOutputInfoWithOptions(path, so)
	if err != nil {
		return nil, fmt.Errorf("load %s %s: %w", role, path, err)
	}
	s = &session{rt: rt, path: path, role: role, opt: opt, inputs: convertIO(ins), outputs: convertIO(outs)}
	for _, in := range s.inputs {
		if err := accept(in); err != nil {
			return nil, fmt.Errorf("load %s %s: input %s: %w", role, path, in, err)
		}
		s.feed = append(s.feed, in)
	}
	found := false
	for _, name := range wantOut {
		for _, o := range s.outputs {
			if o.Name == name {
				s.out, found = o, true
				break
			}
		}
		if found {
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("load %s %s: no embedding output: want one of %s, the graph has %s",
			role, path, strings.Join(wantOut, ", "), listIO(s.outputs))
	}
	if s.out.Type != "float32" && s.out.Type != "float16" {
		return nil, fmt.Errorf("load %s %s: output %s: want float32 or float16", role, path, s.out)
	}
	if len(s.out.Shape) != 2 {
		return nil, fmt.Errorf("load %s %s: output %s: want shape [batch, dim]", role, path, s.out)
	}
	if s.out.Type == "float16" && s.out.Shape[1] < 0 {
		return nil, fmt.Errorf("load %s %s: float16 output %s needs a fixed embedding width", role, path, s.out)
	}
	names := make([]string, len(s.feed))
	for i, in := range s.feed {
		names[i] = in.Name
	}
	if profile != "" {
		if err := so.EnableProfiling(profile); err != nil {
			return nil, fmt.Errorf("load %s %s: enable profiling: %w", role, path, err)
		}
	}
	start := time.Now()
	s.s, err = ort.NewDynamicAdvancedSession(path, names, []string{s.out.Name}, so)
	s.clock.s.Open = time.Since(start)
	if err != nil && opt.StrictDevice {
		return nil, fmt.Errorf("load %s %s on %s with StrictDevice (session.disable_cpu_ep_fallback): the %s execution provider cannot run the whole graph: %w", role, path, opt.Device, ProviderName(opt.Device), err)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s %s: %w", role, path, err)
	}
	return s, nil
}

// sessionOptions builds ONNX Runtime session options for opt.
func sessionOptions(opt Options) (*ort.SessionOptions, error) {
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	if opt.Threads > 0 {
		if err := so.SetIntraOpNumThreads(opt.Threads); err != nil {
			so.Destroy()
			return nil, err
		}
		if err := so.SetInterOpNumThreads(1); err != nil {
			so.Destroy()
			return nil, err
		}
	}
	if err := setStrict(so, opt); err != nil {
		so.Destroy()
		return nil, err
	}
	if opt.NoSpin {
		if err := so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"); err != nil {
			so.Destroy()
			return nil, err
		}
	}
	if err := appendProvider(so, opt.Device, opt.ProviderOptions); err != nil {
		so.Destroy()
		return nil, err
	}
	return so, nil
}

// setStrict sets DisableCPUFallback on so when opt.StrictDevice asks for it
// on a device other than the CPU. On the CPU there is nothing to fall back
// from (and ONNX Runtime refuses the setting when the CPU provider is the
// only one), so strict is accepted and changes nothing.
func setStrict(so *ort.SessionOptions, opt Options) error {
	if !opt.StrictDevice || ProviderName(opt.Device) == "CPU" {
		return nil
	}
	if err := so.AddSessionConfigEntry(DisableCPUFallback, "1"); err != nil {
		return fmt.Errorf("set %s: %w", DisableCPUFallback, err)
	}
	return nil
}

// DisableCPUFallback is the ONNX Runtime session configuration key that
// Options.StrictDevice sets to "1".
const DisableCPUFallback = "session.disable_cpu_ep_fallback"

// appendProvider adds the execution provider for device to so, with its
// options po.
func appendProvider(so *ort.SessionOptions, device string, po map[string]string) error {
	name, id, err := parseDevice(device)
	if err != nil {
		return err
	}
	if po == nil {
		po = map[string]string{}
	}
	switch name {
	case "", "cpu", "directml":
		if len(po) > 0 {
			return fmt.Errorf("device %s: its provider takes no provider options, got %v", device, po)
		}
	}
	switch name {
	case "", "cpu":
		return nil
	case "cuda":
		var o *ort.CUDAProviderOptions
		if o, err = ort.NewCUDAProviderOptions(); err == nil {
			if err = o.Update(po); err == nil {
				err = so.AppendExecutionProviderCUDA(o)
			}
			o.Destroy()
		}
	case "tensorrt":
		var o *ort.TensorRTProviderOptions
		if o, err = ort.NewTensorRTProviderOptions(); err == nil {
			if err = o.Update(po); err == nil {
				err = so.AppendExecutionProviderTensorRT(o)
			}
			o.Destroy()
		}
	case "openvino":
		err = so.AppendExecutionProviderOpenVINO(po)
	case "qnn":
		if _, ok := po["backend_path"]; !ok {
			po = maps.Clone(po)
			po["backend_path"] = defaultQNNBackend()
		}
		err = so.AppendExecutionProvider("QNN", po)
	case "coreml":
		err = so.AppendExecutionProviderCoreMLV2(po)
	case "directml":
		if err = so.AppendExecutionProviderDirectML(id); err != nil {
			return directMLError(device, id, err)
		}
	default:
		return &DeviceError{Device: device}
	}
	if err != nil {
		return &DeviceError{Device: device, Err: err}
	}
	return nil
}

// defaultQNNBackend returns QNN's HTP (NPU) backend library, which the
// QNN provider loads unless ProviderOptions names another backend_path.
func defaultQNNBackend() string {
	if runtime.GOOS == "windows" {
		return "QnnHtp.dll"
	}
	return "libQnnHtp.so"
}

// run feeds inputs (in s.feed order) and returns the output as float32 rows.
func (s *session) run(inputs []ort.Value, batch int) ([][]float32, error) {
	if s.s == nil {
		return nil, fmt.Errorf("run %s %s: the session is closed", s.role, s.path)
	}
	var outputs [1]ort.Value
	if s.out.Type == "float16" {
		// onnxruntime_go copies too few bytes of float16 outputs it
		// allocates itself, so allocate this one here.
		dim := s.out.Shape[1]
		t, err := ort.NewCustomDataTensor(ort.NewShape(int64(batch), dim), make([]byte, 2*int64(batch)*dim), ort.TensorElementDataTypeFloat16)
		if err != nil {
			return nil, err
		}
		outputs[0] = t
	}
	defer func() {
		if outputs[0] != nil {
			outputs[0].Destroy()
		}
	}()
	start := time.Now()
	if err := s.s.Run(inputs, outputs[:]); err != nil {
		return nil, fmt.Errorf("run %s %s: %w", s.role, s.path, err)
	}
	s.clock.add(time.Since(start), batch)
	shape := outputs[0].GetShape()
	if len(shape) != 2 || shape[0] != int64(batch) {
		return nil, fmt.Errorf("run %s %s: output %s has shape %v, want [%d, dim]", s.role, s.path, s.out.Name, shape, batch)
	}
	dim := int(shape[1])
	var flat []float32
	switch t := outputs[0].(type) {
	case *ort.Tensor[float32]:
		flat = t.GetData()
	case *ort.CustomDataTensor:
		flat = halfToFloat(t.GetData())
	default:
		return nil, fmt.Errorf("run %s %s: unexpected output type %T", s.role, s.path, outputs[0])
	}
	rows := make([][]float32, batch)
	for i := range rows {
		rows[i] = append([]float32(nil), flat[i*dim:(i+1)*dim]...)
	}
	return rows, nil
}

// Close releases the session.
func (s *session) Close() error {
	if s == nil || s.s == nil {
		return nil
	}
	err := s.s.Destroy()
	s.s = nil
	s.rt.release()
	return err
}

func convertIO(infos []ort.InputOutputInfo) []IO {
	ios := make([]IO, len(infos))
	for i, info := range infos {
		ios[i] = IO{Name: info.Name, Type: elemType(info.DataType), Shape: append([]int64(nil), info.Dimensions...)}
	}
	return ios
}

func elemType(t ort.TensorElementDataType) string {
	switch t {
	case ort.TensorElementDataTypeFloat:
		return "float32"
	case ort.TensorElementDataTypeFloat16:
		return "float16"
	case ort.TensorElementDataTypeInt64:
		return "int64"
	case ort.TensorElementDataTypeInt32:
		return "int32"
	case ort.TensorElementDataTypeDouble:
		return "float64"
	case ort.TensorElementDataTypeUint8:
		return "uint8"
	case ort.TensorElementDataTypeInt8:
		return "int8"
	case ort.TensorElementDataTypeBool:
		return "bool"
	}
	return strings.ToLower(strings.TrimPrefix(t.String(), "ONNX_TENSOR_ELEMENT_DATA_TYPE_"))
}

func listIO(ios []IO) string {
	s := make([]string, len(ios))
	for i, io := range ios {
		s[i] = io.String()
	}
	return strings.Join(s, ", ")
}

// fixedBatch returns the graph's fixed batch size, or 0 if it is dynamic.
func fixedBatch(io IO) int {
	if len(io.Shape) > 0 && io.Shape[0] > 0 {
		return int(io.Shape[0])
	}
	return 0
}
