package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/encoder"
	"github.com/zsic/zsic/zsic/hub"
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
	fs.StringVar(&m.device, "device", "cpu", "execution provider: "+strings.Join(encoder.Devices, ", "))
	fs.IntVar(&m.threads, "threads", 0, "ONNX Runtime intra-op threads (0: its default)")
}

// resolve returns the model folder and towers the flags name, fetching a Hub
// model into the cache when --model-id is not a local folder.
func (m *modelFlags) resolve(ctx context.Context, stderr io.Writer) (string, zsic.Towers, error) {
	dir, towers, err := zsic.ParseTowers(m.towers)
	if err != nil {
		return "", nil, err
	}
	if m.modelID == "" {
		if dir == "" && len(towers) == 0 {
			return "", nil, errors.New("no model: give -m DIR, --model-id DIR_OR_HUB_ID, or -m image-encoder=PATH -m text-encoder=PATH")
		}
		return dir, towers, nil
	}
	if dir != "" {
		return "", nil, fmt.Errorf("both -m %s and --model-id %s name a model folder; give one", dir, m.modelID)
	}
	if st, err := os.Stat(m.modelID); err == nil && st.IsDir() {
		return m.modelID, towers, nil
	}
	c := hub.FromEnv()
	c.Progress = terminal(stderr)
	snap, err := c.Snapshot(ctx, hub.RepoModel, m.modelID, m.revision, zsic.ModelFiles(m.variant))
	if err != nil {
		return "", nil, err
	}
	return snap, towers, nil
}

// open resolves, loads and opens the model, printing its notes to stderr.
func (m *modelFlags) open(ctx context.Context, stderr io.Writer) (*zsic.Classifier, error) {
	dir, towers, err := m.resolve(ctx, stderr)
	if err != nil {
		return nil, err
	}
	model, err := zsic.LoadModel(dir, towers, m.variant)
	if err != nil {
		return nil, err
	}
	for _, n := range model.Notes {
		fmt.Fprintf(stderr, "note: %s\n", n)
	}
	return zsic.Open(model, encoder.Options{Threads: m.threads, Device: m.device})
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
