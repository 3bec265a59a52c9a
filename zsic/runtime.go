package zsic

import "github.com/zsic/zsic/zsic/encoder"

// Runtime owns the process's ONNX Runtime environment and the defaults of
// the sessions opened on it; see encoder.Runtime. Open classifiers on it,
// close them, then Close it.
type Runtime = encoder.Runtime

// RuntimeOptions configures a Runtime: its shared library (empty: the
// environment already initialized, else ortlib.Default()), and the default
// threads and device of its sessions.
type RuntimeOptions = encoder.RuntimeOptions

// NewRuntime returns a Runtime on the process's ONNX Runtime environment,
// initializing it from opt.Library when neither zsic nor the host program
// has. It fails with an *encoder.ConflictError when the environment was
// initialized from another library.
func NewRuntime(opt RuntimeOptions) (*Runtime, error) { return encoder.NewRuntime(opt) }

// Devices returns the execution providers a Runtime or Options may name.
func Devices() []string { return encoder.Devices() }
