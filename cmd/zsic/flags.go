package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/zsic/zsic/internal/outfile"
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

// The flag groups below are declared once and registered by each command
// that needs them:
//
//	model    -m, --model-id, --revision, --variant  (eval, classify, embed; fetch: the Hub ones)
//	runtime  --device, --threads                    (eval, classify, embed)
//	dataset  --dataset, --split, --dataset-revision, --column, --labels
//	                                                (eval, report, compare; fetch: the Hub ones)
//	output   --output, --quiet                      (eval; report and compare: --output)
//
// --labels means the same everywhere: a comma-separated list of names, or
// @FILE to read them from a file (one per line, or a JSON array).

// modelFlags are the flags that choose a model.
type modelFlags struct {
	towers   listFlag
	modelID  string
	revision string
	variant  string
}

// register registers the model flags on fs.
func (m *modelFlags) register(fs *flag.FlagSet) {
	fs.Var(&m.towers, "m", "model folder, or ROLE=PATH for a tower (repeatable; roles: image-encoder, text-encoder)")
	m.registerHub(fs)
}

// registerHub registers the model flags that name a Hub model.
func (m *modelFlags) registerHub(fs *flag.FlagSet) {
	fs.StringVar(&m.modelID, "model-id", "", "model folder, or a Hugging Face Hub id (org/name)")
	fs.StringVar(&m.revision, "revision", "main", "Hub revision of --model-id")
	fs.StringVar(&m.variant, "variant", "", "Transformers.js tower variant: quantized, fp16, int8, uint8 or q4 (default fp32)")
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

// inputs lists the model files the flags name that exist here: the towers
// and the files of a local model folder, which no output may overwrite.
func (m *modelFlags) inputs() []outfile.Named {
	var out []outfile.Named
	dirs := []string{m.modelID}
	for _, v := range m.towers {
		if _, path, ok := strings.Cut(v, "="); ok {
			out = append(out, outfile.Named{Flag: "-m", Path: path})
		} else {
			dirs = append(dirs, v)
		}
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		for _, pattern := range []string{"*", "onnx/*"} {
			files, _ := filepath.Glob(filepath.Join(d, pattern))
			for _, f := range files {
				if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
					out = append(out, outfile.Named{Flag: "the model file", Path: f})
				}
			}
		}
	}
	return out
}

// runtimeFlags are the flags that configure ONNX Runtime.
type runtimeFlags struct {
	device        string
	deviceOptions string
	strictDevice  bool
	threads       int
	workers       int
	streams       int
}

// register registers the runtime flags on fs.
func (r *runtimeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.device, "device", "cpu", "execution provider: "+strings.Join(zsic.Devices(), ", ")+" (directml:N for adapter N)")
	fs.StringVar(&r.deviceOptions, "device-options", "", "the execution provider's options as key=value,key=value (e.g. backend_path=/opt/qnn/lib/libQnnHtp.so for qnn)")
	fs.BoolVar(&r.strictDevice, "strict-device", false, "fail, naming the provider, when the device cannot run the whole graph, instead of running the rest on the CPU (ONNX Runtime's session.disable_cpu_ep_fallback)")
	def := zsic.DefaultSplit(zsic.Cores())
	lat := zsic.LatencySplit(zsic.Cores())
	fs.IntVar(&r.threads, "threads", 0, fmt.Sprintf("ONNX Runtime intra-op threads per tower run (0: %d here, %d for an image tower of %d MiB or more or a device but cpu, cores/--streams when that is given)", def.Threads, lat.Threads, zsic.LargeTower>>20))
	fs.IntVar(&r.workers, "workers", 0, fmt.Sprintf("goroutines decoding and preprocessing images (0: %d here, from the core count)", def.Workers))
	fs.IntVar(&r.streams, "streams", 0, fmt.Sprintf("image-tower runs in flight at once, a batch each (0: %d here, from the core count; %d for an image tower of %d MiB or more or a device but cpu; cores/--threads when that is given)", def.Streams, lat.Streams, zsic.LargeTower>>20))
}

// maxThreads bounds --threads, --workers and --streams: more is a typo,
// not a plan.
const maxThreads = 1024

// check validates the numeric flags.
func (r *runtimeFlags) check() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"threads", r.threads}, {"workers", r.workers}, {"streams", r.streams}} {
		if f.v < 0 || f.v > maxThreads {
			return usagef("--%s %d: want 0 (choose from the core count) to %d", f.name, f.v, maxThreads)
		}
	}
	return nil
}

// model is an open classifier with the runtime it runs on.
type model struct {
	*zsic.Classifier
	rt *zsic.Runtime
}

// Close closes the classifier, then the runtime.
func (m *model) Close() error { return errors.Join(m.Classifier.Close(), m.rt.Close()) }

// openModel resolves, loads and opens the model mf names on the runtime rf
// configures, printing the model's notes to stderr.
func openModel(ctx context.Context, mf *modelFlags, rf *runtimeFlags, stderr io.Writer) (*model, error) {
	if err := rf.check(); err != nil {
		return nil, err
	}
	ref, err := mf.ref()
	if err != nil {
		return nil, err
	}
	mod, err := zsic.Resolve(ctx, ref, hubClient(stderr))
	if err != nil {
		return nil, advise(err)
	}
	for _, n := range mod.Notes {
		fmt.Fprintf(stderr, "note: %s\n", n)
	}
	po, err := encoder.ParseProviderOptions(rf.deviceOptions)
	if err != nil {
		return nil, fmt.Errorf("--device-options: %w", err)
	}
	rt, err := zsic.NewRuntime(zsic.RuntimeOptions{Threads: rf.threads, Device: rf.device, ProviderOptions: po, StrictDevice: rf.strictDevice})
	if err != nil {
		return nil, advise(err)
	}
	clf, err := zsic.Open(rt, mod, zsic.Options{Workers: rf.workers, Streams: rf.streams})
	if err != nil {
		rt.Close()
		return nil, advise(err)
	}
	return &model{Classifier: clf, rt: rt}, nil
}

// hubClient returns the Hub client of the environment, drawing its
// downloads on stderr when it is a terminal.
func hubClient(stderr io.Writer) *hub.Client {
	c := hub.FromEnv()
	c.Progress = bar(stderr, false)
	c.Log = stderr
	return c
}

// datasetFlags are the flags that choose a dataset and its class names.
type datasetFlags struct {
	path     string
	split    string
	revision string
	columns  listFlag
	labels   string
	anywhere bool
}

// register registers the dataset flags on fs; what says what the dataset
// is for.
func (d *datasetFlags) register(fs *flag.FlagSet, what string) {
	d.registerHub(fs, what)
	fs.Var(&d.columns, "column", "column mapping KEY=COLUMN, repeatable: input_column (default img), label_column (default fine_label)")
	fs.StringVar(&d.labels, "labels", "", "class names by label id, for a label column without names: a,b,c or @FILE (one per line, or a JSON array)")
	fs.BoolVar(&d.anywhere, "allow-outside-paths", false, "let a CSV/JSONL list name images outside its own folder (absolute, .., symlinks out)")
}

// registerHub registers the dataset flags that name a Hub dataset.
func (d *datasetFlags) registerHub(fs *flag.FlagSet, what string) {
	fs.StringVar(&d.path, "dataset", "", what+": a parquet file or folder of shards, an image folder, a CSV/JSONL list, or a Hub dataset id (org/name)")
	fs.StringVar(&d.split, "split", "test", "split of a Hub --dataset")
	fs.StringVar(&d.revision, "dataset-revision", "main", "Hub revision of --dataset")
}

// ref returns the dataset the flags name.
func (d *datasetFlags) ref() dataset.Ref {
	return dataset.Ref{Path: d.path, Split: d.split, Revision: d.revision}
}

// open opens the dataset, fetching a Hub dataset's split into the cache.
func (d *datasetFlags) open(ctx context.Context, stderr io.Writer) (dataset.Source, dataset.Columns, error) {
	cols, err := parseColumns(d.columns)
	if err != nil {
		return nil, cols, err
	}
	var opts []dataset.Option
	if d.anywhere {
		opts = append(opts, dataset.AllowPathsOutside())
	}
	src, err := dataset.Resolve(ctx, d.ref(), cols, hubClient(stderr), opts...)
	if err != nil {
		return nil, cols, advise(err)
	}
	return src, cols, nil
}

// local reports whether --dataset names local files, not a Hub dataset.
func (d *datasetFlags) local() bool { return d.path != "" && !d.ref().IsHub() }

// recordedSplit is the split a report records: none for local files that
// have no splits.
func (d *datasetFlags) recordedSplit() string {
	if d.local() && !dataset.IsWebDataset(d.path) {
		return ""
	}
	return d.split
}

// checkSplit refuses --split (or --dataset-revision) given for a local
// dataset, where it would be ignored but recorded.
func (d *datasetFlags) checkSplit(fs *flag.FlagSet) error {
	if !d.local() || dataset.IsWebDataset(d.path) { // a local WebDataset has split folders
		return nil
	}
	for _, name := range []string{"split", "dataset-revision"} {
		if isSet(fs, name) {
			return usagef("--%s %s: it applies to a Hub dataset id; %s is a local dataset (drop --%s, or point --dataset at the split's own files)",
				name, fs.Lookup(name).Value, d.path, name)
		}
	}
	return nil
}

// classes returns the class names: --labels, else the dataset's own.
func (d *datasetFlags) classes(src dataset.Source) ([]string, error) {
	if d.labels != "" {
		return parseLabels(d.labels)
	}
	if c := src.Classes(); len(c) > 0 {
		return c, nil
	}
	return nil, advise(fmt.Errorf("dataset %s: %w: the label column has no ClassLabel names", d.path, zsic.ErrNoClasses))
}

// labelsFile returns the file --labels @FILE reads, or "".
func (d *datasetFlags) labelsFile() string {
	f, _ := strings.CutPrefix(d.labels, "@")
	if f == d.labels {
		return ""
	}
	return f
}

// parseLabels reads a --labels value: a comma-separated list of names, or
// @FILE (whose names must be distinct, see dataset.LoadLabels). A value that names a file without the @ is refused rather than
// read as one label.
func parseLabels(v string) ([]string, error) {
	if path, ok := strings.CutPrefix(v, "@"); ok {
		names, err := dataset.LoadLabels(path)
		if err != nil {
			return nil, fmt.Errorf("--labels %s: %w", v, err)
		}
		return names, nil
	}
	if st, err := os.Stat(v); err == nil && st.Mode().IsRegular() {
		return nil, fmt.Errorf("--labels %s names a file: write --labels @%s to read the names from it", v, v)
	}
	var names []string // repeats allowed, as the pipeline allows them
	for _, l := range strings.Split(v, ",") {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, l)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("--labels %q: no names; give a,b,c or @FILE", v)
	}
	return names, nil
}

// outputFlags are the flags that say where results go.
type outputFlags struct {
	output string
	quiet  bool
}

// register registers --output, saying what is written, and --quiet when
// the command draws progress.
func (o *outputFlags) register(fs *flag.FlagSet, what string, progress bool) {
	fs.StringVar(&o.output, "output", "", "write "+what+" to this file")
	if progress {
		fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	}
}

// isSet reports whether the flag called name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// advise adds to a library error the flag or command that fixes it.
func advise(err error) error {
	var (
		tower  *zsic.MissingTowerError
		config *zsic.ConfigNotFoundError
		device *encoder.DeviceError
		lib    *encoder.LibraryError
	)
	switch {
	case errors.As(err, &tower) && tower.Dir == "":
		return fmt.Errorf("%w: give -m DIR, --model-id, or -m ROLE=PATH for each of image-encoder, text-encoder", err)
	case errors.As(err, &tower):
		return fmt.Errorf("%w (or give -m %s=PATH)", err, tower.Role)
	case errors.As(err, &config):
		return fmt.Errorf("%w: give the model folder with --model-id", err)
	case errors.As(err, &device) && device.Err != nil:
		return fmt.Errorf("%w (set %s to an ONNX Runtime build with it)", err, ortlib.EnvVar)
	case errors.As(err, &lib):
		return fmt.Errorf("%w (run `make setup`, or set %s to an ONNX Runtime shared library)", err, ortlib.EnvVar)
	case errors.Is(err, dataset.ErrPathOutside):
		return fmt.Errorf("%w (--allow-outside-paths)", err)
	case errors.Is(err, zsic.ErrNoClasses):
		return fmt.Errorf("%w; give them with --labels a,b,c or --labels @FILE", err)
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
