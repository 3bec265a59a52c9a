// Package encoder runs the two towers of a dual-encoder model, exported as
// ONNX files, with ONNX Runtime. It reads each tower's inputs and outputs from
// the graph, feeds the declared dtypes and batch shapes, and returns one
// embedding row per input.
//
// Every session belongs to a Runtime, the value that owns the process's ONNX
// Runtime environment.
package encoder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/zsic/zsic/zsic/ortlib"
)

// RuntimeOptions configures a Runtime.
type RuntimeOptions struct {
	// Library is the ONNX Runtime shared library to load. Empty means the
	// environment another Runtime or the host program already initialized,
	// else ortlib.Default().
	Library string
	// Threads is the default number of intra-op threads of each session;
	// zero lets ONNX Runtime choose.
	Threads int
	// Device is the default execution provider of each session (see
	// Devices); empty means "cpu".
	Device string
	// ProviderOptions are the default options of the device's execution
	// provider (see Options.ProviderOptions).
	ProviderOptions map[string]string
	// StrictDevice makes every session refuse to fall back to the CPU
	// (see Options.StrictDevice).
	StrictDevice bool
}

// Runtime owns a reference to the process's ONNX Runtime environment, and
// the defaults of the sessions opened on it. ONNX Runtime allows one
// environment per process, so every Runtime shares it: the first one zsic
// creates initializes it from its library, later ones must name the same
// library (or none), and the last Close destroys it. When the host program
// initialized ONNX Runtime itself (ort.IsInitialized is true before zsic's
// first Runtime), Runtimes borrow that environment and never destroy it.
//
// A Runtime may be used from several goroutines at once.
type Runtime struct {
	opt      RuntimeOptions
	mu       sync.Mutex
	closed   bool
	sessions int // sessions open on this runtime
}

// env is the process-wide ONNX Runtime environment as zsic sees it. It is
// the one piece of global state: ONNX Runtime itself is process-wide.
var env struct {
	mu    sync.Mutex
	refs  int    // open Runtimes
	lib   string // the library zsic loaded; "" when borrowed from the host
	owned bool   // zsic initialized the environment and destroys it
}

// TelemetryOptOut are the environment variables that turn off the
// telemetry of ONNX Runtime's Linux and macOS builds (1.29 and later: a
// device id and an event cache under ~/.cache/Microsoft, a
// /tmp/mat-debug-PID.log per process, uploads to Microsoft) when set
// before its environment is created: 1.30 reads ORT_DISABLE_TELEMETRY,
// later releases ORT_TELEMETRY_DISABLED. NewRuntime sets each to "1"
// before it initializes ONNX Runtime unless the process's environment
// already has it (ORT_DISABLE_TELEMETRY=0 keeps the telemetry on).
var TelemetryOptOut = []string{"ORT_DISABLE_TELEMETRY", "ORT_TELEMETRY_DISABLED"}

// optOutOfTelemetry sets the variables of TelemetryOptOut that are unset.
func optOutOfTelemetry() {
	for _, v := range TelemetryOptOut {
		if _, set := os.LookupEnv(v); !set {
			os.Setenv(v, "1")
		}
	}
}

// ConflictError reports a Runtime asked for a library other than the one the
// process's ONNX Runtime environment was initialized from.
type ConflictError struct {
	Want   string // the library asked for
	Loaded string // the library in use; "" when the host program loaded it
}

func (e *ConflictError) Error() string {
	if e.Loaded == "" {
		return fmt.Sprintf("ONNX Runtime library %s: the host program already initialized ONNX Runtime from a library zsic cannot see; leave the library unset to share that environment", e.Want)
	}
	return fmt.Sprintf("ONNX Runtime library %s: this process already initialized ONNX Runtime from %s, and a process can load only one", e.Want, e.Loaded)
}

// LibraryError reports an ONNX Runtime shared library that could not be
// found or loaded.
type LibraryError struct {
	Path string // the library
	Err  error  // why it could not be used
}

func (e *LibraryError) Error() string {
	cause := e.Err
	var pe *fs.PathError
	if errors.As(cause, &pe) && pe.Path == e.Path {
		cause = pe.Err // the path is said once
	}
	return fmt.Sprintf("ONNX Runtime library %s: %v", e.Path, cause)
}

func (e *LibraryError) Unwrap() error { return e.Err }

// NewRuntime returns a Runtime on the process's ONNX Runtime environment,
// initializing it from opt.Library, with ONNX Runtime's telemetry off
// (TelemetryOptOut), when no one has. A library that cannot
// be loaded is a *LibraryError, a conflicting one a *ConflictError.
func NewRuntime(opt RuntimeOptions) (*Runtime, error) {
	if err := checkDevice(opt.Device); err != nil {
		return nil, err
	}
	env.mu.Lock()
	defer env.mu.Unlock()
	switch {
	case env.refs == 0 && ort.IsInitialized():
		// The host program's environment: use it, never destroy it.
		if opt.Library != "" {
			return nil, &ConflictError{Want: opt.Library}
		}
		env.lib, env.owned = "", false
	case env.refs == 0:
		lib := opt.Library
		if lib == "" {
			lib = ortlib.Default()
		}
		if _, err := os.Stat(lib); err != nil {
			return nil, &LibraryError{Path: lib, Err: err}
		}
		ort.SetSharedLibraryPath(lib)
		optOutOfTelemetry()
		if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
			return nil, &LibraryError{Path: lib, Err: err}
		}
		if err := ort.DisableTelemetry(); err != nil { // the API's switch (Windows' ETW events)
			ort.DestroyEnvironment()
			return nil, &LibraryError{Path: lib, Err: err}
		}
		env.lib, env.owned = lib, true
	case opt.Library != "" && opt.Library != env.lib:
		return nil, &ConflictError{Want: opt.Library, Loaded: env.lib}
	}
	env.refs++
	opt.Library = env.lib
	return &Runtime{opt: opt}, nil
}

// Library returns the path of the loaded library, or "" when the host
// program initialized ONNX Runtime.
func (r *Runtime) Library() string { return r.opt.Library }

// Options returns the runtime's options, with Library as Library returns it.
func (r *Runtime) Options() RuntimeOptions { return r.opt }

// Version returns the version of the loaded ONNX Runtime library.
func (r *Runtime) Version() string { return ort.GetVersion() }

// defaults fills the zero fields of opt from the runtime's defaults.
func (r *Runtime) defaults(opt Options) Options {
	if opt.Threads == 0 {
		opt.Threads = r.opt.Threads
	}
	if opt.Device == "" {
		opt.Device = r.opt.Device
		if opt.ProviderOptions == nil {
			opt.ProviderOptions = r.opt.ProviderOptions
		}
	}
	opt.StrictDevice = opt.StrictDevice || r.opt.StrictDevice
	return opt
}

// CheckDevice reports whether the loaded library has the execution
// provider of the runtime's default device and accepts its options,
// without opening a session: a *DeviceError when it lacks the provider.
func (r *Runtime) CheckDevice() error {
	so, err := sessionOptions(r.defaults(Options{}))
	if err != nil {
		return err
	}
	return so.Destroy()
}

// Close releases the runtime's reference to the environment, destroying it
// when this was the last Runtime and zsic created it. Close the sessions
// opened on r first. Closing twice is a no-op.
func (r *Runtime) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	if r.sessions > 0 {
		return fmt.Errorf("close ONNX Runtime: %d session(s) still open on it", r.sessions)
	}
	r.closed = true
	env.mu.Lock()
	defer env.mu.Unlock()
	env.refs--
	if env.refs > 0 || !env.owned {
		return nil
	}
	env.owned, env.lib = false, ""
	if err := ort.DestroyEnvironment(); err != nil {
		return fmt.Errorf("close ONNX Runtime: %w", err)
	}
	return nil
}

// errClosed reports a session opened on a closed Runtime.
var errClosed = errors.New("the ONNX Runtime runtime is closed")

// acquire counts a session opening on r.
func (r *Runtime) acquire() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errClosed
	}
	r.sessions++
	return nil
}

// release counts a session closing on r.
func (r *Runtime) release() {
	r.mu.Lock()
	r.sessions--
	r.mu.Unlock()
}
