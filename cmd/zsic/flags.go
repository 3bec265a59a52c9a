package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/encoder"
	"github.com/zsic/zsic/zsic/hub"
	"github.com/zsic/zsic/zsic/ortlib"
	"github.com/zsic/zsic/zsic/progress"
)

// errUsage marks a command-line mistake already reported with the usage.
var errUsage = errors.New("usage")

// listFlag collects the values of a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// newFlagSet makes a command's flag set whose --help prints the usage line,
// an example and the flags.
func newFlagSet(name, synopsis, example string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("zsic "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: zsic %s %s\n\nExample:\n  %s\n\nFlags:\n", name, synopsis, example)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, allowing flags after positional arguments, and returns
// the positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// modelFlags are the flags that choose and load a model.
type modelFlags struct {
	towers   listFlag
	modelID  string
	revision string
	variant  string
	device   string
	threads  int
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	fs.Var(&m.towers, "m", "model folder, or ROLE=PATH for a tower (repeatable; roles: image-encoder, text-encoder)")
	fs.StringVar(&m.modelID, "model-id", "", "model folder, or a Hugging Face Hub id (org/name)")
	fs.StringVar(&m.revision, "revision", "main", "Hub revision of --model-id")
	fs.StringVar(&m.variant, "variant", "", "Transformers.js tower variant: quantized, fp16, int8, uint8 or q4 (default fp32)")
	fs.StringVar(&m.device, "device", "cpu", "execution provider: "+strings.Join(zsic.Devices(), ", "))
	fs.IntVar(&m.threads, "threads", 0, "ONNX Runtime intra-op threads (0: its default)")
}

// ref returns the model the flags name.
func (m *modelFlags) ref() (zsic.ModelRef, error) {
	dir, towers, err := parseTowers(m.towers)
	if err != nil {
		return zsic.ModelRef{}, err
	}
	ref := zsic.ModelRef{Path: dir, Revision: m.revision, Variant: m.variant, Towers: towers}
	switch {
	case m.modelID == "" && dir == "" && len(towers) == 0:
		return ref, errors.New("no model: give -m DIR, --model-id DIR_OR_HUB_ID, or -m image-encoder=PATH -m text-encoder=PATH")
	case m.modelID != "" && dir != "":
		return ref, fmt.Errorf("both -m %s and --model-id %s name a model folder; give one", dir, m.modelID)
	case m.modelID != "":
		ref.Path = m.modelID
	}
	return ref, nil
}

// model is an open classifier with the runtime it runs on.
type model struct {
	*zsic.Classifier
	rt *zsic.Runtime
}

// Close closes the classifier, then the runtime.
func (m *model) Close() error { return errors.Join(m.Classifier.Close(), m.rt.Close()) }

// open resolves, loads and opens the model, printing its notes to stderr.
func (m *modelFlags) open(ctx context.Context, stderr io.Writer) (*model, error) {
	ref, err := m.ref()
	if err != nil {
		return nil, err
	}
	hc := hub.FromEnv()
	hc.Progress = bar(stderr, false)
	mod, err := zsic.Resolve(ctx, ref, hc)
	if err != nil {
		return nil, advise(err)
	}
	for _, n := range mod.Notes {
		fmt.Fprintf(stderr, "note: %s\n", n)
	}
	rt, err := zsic.NewRuntime(zsic.RuntimeOptions{Threads: m.threads, Device: m.device})
	if err != nil {
		return nil, advise(err)
	}
	clf, err := zsic.Open(rt, mod, zsic.Options{})
	if err != nil {
		rt.Close()
		return nil, advise(err)
	}
	return &model{Classifier: clf, rt: rt}, nil
}

// advise adds to a library error the flag or command that fixes it.
func advise(err error) error {
	var (
		tower  *zsic.MissingTowerError
		device *encoder.DeviceError
	)
	switch {
	case errors.As(err, &tower) && tower.Dir == "":
		return fmt.Errorf("%w: give -m DIR, --model-id, or -m ROLE=PATH for each of image-encoder, text-encoder", err)
	case errors.As(err, &tower):
		return fmt.Errorf("%w (or give -m %s=PATH)", err, tower.Role)
	case errors.As(err, &device) && device.Err != nil:
		return fmt.Errorf("%w (set %s to an ONNX Runtime build with it)", err, ortlib.EnvVar)
	case errors.Is(err, dataset.ErrPathOutside):
		return fmt.Errorf("%w (--allow-outside-paths)", err)
	case errors.Is(err, zsic.ErrNoClasses):
		return fmt.Errorf("%w; give them with a labels file (--labels FILE)", err)
	case errors.Is(err, fs.ErrNotExist) && strings.Contains(err.Error(), "ONNX Runtime library"):
		return fmt.Errorf("%w (run `make setup`, or set %s to a libonnxruntime shared library)", err, ortlib.EnvVar)
	case errors.Is(err, fs.ErrNotExist) && strings.Contains(err.Error(), "no config.json beside"):
		return fmt.Errorf("%w: give the model folder with --model-id", err)
	}
	return err
}

// bar returns a progress bar drawn on w when w is a terminal and quiet is
// not set, else nil.
func bar(w io.Writer, quiet bool) progress.Func {
	if quiet || terminal(w) == nil {
		return nil
	}
	return progress.Bar(w)
}

// terminal returns w if it is a terminal, else nil.
func terminal(w io.Writer) io.Writer {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return w
}
