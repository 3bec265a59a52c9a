package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/zsic/zsic/internal/outfile"
	"github.com/zsic/zsic/internal/rusage"
	"github.com/zsic/zsic/internal/shard"
	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/encoder"
	runreport "github.com/zsic/zsic/zsic/report"
)

// Task is the only task zsic evaluates.
const Task = "zero-shot-image-classification"

// report is the JSON written by --output: the versioned report of package
// zsic/report, plus the fields of sharded, merged and resumable runs.
type report struct {
	runreport.Report
	shardFields
}

// coldWarm returns t with its cold and warm fields set from the towers'
// stats.
func coldWarm(t runreport.Timings, image, text zsic.TowerStats) runreport.Timings {
	t.OpenS = (image.Open + text.Open).Seconds()
	t.ImageTowerColdMS, t.ImageTowerColdBatch = ms(image.First), image.FirstItems
	t.ImageTowerWarmPerImgMS = ms(image.WarmPerItem())
	return t
}

// evalFlags are eval's flags beyond the model's.
type evalFlags struct {
	model       modelFlags
	runtime     runtimeFlags
	data        datasetFlags
	out         outputFlags
	task        string
	samples     int
	shuffle     bool
	seed        int64
	batchSize   int
	text        promptFlags
	predictions string
	manifest    string
	strict      bool
	scale       scaleFlags
	profile     string
	placement   placementFlag
}

// parseEval parses eval's command line and checks what it can without
// reading any file.
func parseEval(args []string, stderr io.Writer) (*evalFlags, error) {
	var f evalFlags
	fs := newFlagSet("eval", "(-m DIR | --model-id ID | -m image-encoder=PATH -m text-encoder=PATH) --dataset PATH_OR_HUB_ID [flags]",
		"zsic eval -m fixtures/models/tiny-clip --dataset ../shared/data/cifar100/test.parquet --samples 1000 --output report.json", stderr)
	f.model.register(fs)
	f.runtime.register(fs)
	f.data.register(fs, "the labelled images")
	f.out.register(fs, "the JSON report", true)
	fs.StringVar(&f.task, "task", Task, "task (only "+Task+")")
	fs.IntVar(&f.samples, "samples", 0, "evaluate the first N rows (0: all)")
	fs.BoolVar(&f.shuffle, "shuffle", false, "draw the --samples rows at random (seeded by --seed)")
	fs.Int64Var(&f.seed, "seed", 0, "seed of --shuffle")
	fs.IntVar(&f.batchSize, "batch-size", 32, "images per image-tower run (prompts run in batches of their own)")
	f.text.register(fs)
	fs.StringVar(&f.predictions, "predictions", "", "write one JSON line per sample to this file")
	fs.StringVar(&f.manifest, "manifest", "", "evaluate the rows of a pinned sample manifest (e.g. fixtures/samples/cifar100-test-1000.json)")
	fs.BoolVar(&f.strict, "strict", false, "fail on the first undecodable image instead of counting it")
	f.scale.register(fs)
	fs.StringVar(&f.profile, "profile", "", "write a Go CPU profile of the evaluation to this file (go tool pprof)")
	f.placement.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if err := f.runtime.check(); err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("unexpected argument %q (see zsic eval --help)", pos[0])
	}
	if err := f.check(fs); err != nil {
		return nil, err
	}
	f.text.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.text.set[fl.Name] = true })
	if f.data.labels != "" && f.text.classnames != "" {
		return nil, errors.New("give --labels or --classnames, not both")
	}
	if f.task != Task {
		return nil, fmt.Errorf("--task %s: zsic evaluates only %s", f.task, Task)
	}
	if f.data.path == "" {
		return nil, errors.New("no --dataset: give a parquet file or folder, an image folder, a manifest, or a Hub dataset id")
	}
	if f.manifest != "" && (f.samples != 0 || f.shuffle) {
		return nil, errors.New("--manifest fixes the sample: drop --samples and --shuffle")
	}
	if err := f.scale.check(f.out.output, f.predictions); err != nil {
		return nil, err
	}
	if err := f.text.checkOutputs(f.out.output, f.predictions); err != nil {
		return nil, err
	}
	return &f, nil
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseEval(args, stderr)
	if err != nil {
		return err
	}
	if err := f.checkOutputs(); err != nil {
		return err
	}
	runStart := time.Now()
	src, cols, err := f.data.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer src.Close()
	datasetClasses := src.Classes()
	if f.data.labels != "" {
		if datasetClasses, err = parseLabels(f.data.labels); err != nil {
			return err
		}
	}
	text, err := f.text.plan(datasetClasses, src)
	if err != nil {
		return err
	}
	for _, w := range text.warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	var rows []int
	if f.manifest != "" {
		m, err := dataset.LoadManifest(f.manifest)
		if err != nil {
			return err
		}
		if rows, err = m.Resolve(src); err != nil {
			return err
		}
	} else if rows, err = dataset.Select(src.Len(), f.samples, f.shuffle, f.seed); err != nil {
		return fmt.Errorf("dataset %s: %w", f.data.path, err)
	}
	if len(rows) == 0 {
		return fmt.Errorf("dataset %s: no rows to evaluate: the dataset (or its selection) is empty", f.data.path)
	}
	selected := rows
	if f.scale.spec != nil {
		if rows, err = f.scale.spec.Rows(selected); err != nil {
			return err
		}
	}

	clf, err := openModel(ctx, &f.model, &f.runtime, stderr)
	if err != nil {
		return err
	}
	defer clf.Close()
	// Placement runs sessions of its own, before the run and its timings.
	placement, err := f.placement.measure(clf.Classifier, f.runtime.device, stderr)
	if err != nil {
		return err
	}
	opt := zsic.EvalOptions{
		Classes:   text.classes,
		Prompts:   text.prompts,
		Labels:    text.labels,
		BatchSize: f.batchSize,
		Strict:    f.strict,
		Progress:  bar(stderr, f.out.quiet),
	}
	if text.labels != nil {
		if err := checkHead(f.text.head, text, clf.Classifier); err != nil {
			return err
		}
	}
	// The class embeddings are made before the images, and the text tower
	// is then released: a full-size model's text tower holds 150 MB or more
	// that the image runs do not use.
	var textTime time.Duration
	if opt.Labels == nil && text.prompts != nil {
		start := time.Now()
		if opt.Labels, err = clf.EncodeClasses(f.text.names(text.classes), text.prompts, zsic.TextBatchSize); err != nil {
			return fmt.Errorf("encode class prompts: %w", err)
		}
		textTime = time.Since(start)
	}
	if f.text.saveHead != "" {
		if err := f.text.saveHeadFile(f.text.saveHead, clf.Classifier, text, opt.Labels); err != nil {
			return err
		}
	}
	if opt.Labels != nil {
		if err := clf.CloseText(); err != nil {
			return fmt.Errorf("release the text tower: %w", err)
		}
	}

	// The run's identity, in the report and the partial predictions.
	var fp *shard.Fingerprint
	if f.out.output != "" || f.predictions != "" {
		fp, err = runFingerprint(fingerprintInput{
			model: clf.Model, variant: f.model.variant, device: f.runtime.device, ort: clf.rt.Version(),
			data: f.data.path, split: f.data.split, revision: f.data.revision,
			cols:  map[string]string{"input_column": cols.Image, "label_column": cols.Label},
			total: src.Len(), samples: f.samples, shuffle: f.shuffle, seed: f.seed, manifest: f.manifest,
			rows: selected, prompts: text.prompts, head: f.text.head, classes: text.classes,
		})
		if err != nil {
			return err
		}
	}
	// Predictions are saved a batch at a time to a partial file, which
	// --resume continues from, and written in full when the run is done.
	var (
		journal *shard.Journal
		done    shard.Done
	)
	// A device or FIFO (/dev/null) is written once at the end, without a
	// partial file beside it.
	if f.predictions != "" && !outfile.IsDevice(f.predictions) {
		h := shard.Header{Fingerprint: fp, Shard: f.scale.spec}
		if f.scale.resume {
			journal, done, err = shard.Resume(f.predictions, h, rows)
		} else {
			if p := shard.Leftover(f.predictions); p != "" {
				fmt.Fprintf(stderr, "note: starting afresh over the partial predictions %s of an earlier run (--resume continues it)\n", p)
			}
			journal, err = shard.Create(f.predictions, h)
		}
		if err != nil {
			return err
		}
		defer journal.Close()
		keepPartial(journal.Path())
		if n := done.Rows(); n > 0 {
			fmt.Fprintf(stderr, "resume: %d of %d rows already done in %s\n", n, len(rows), journal.Path())
		}
	}
	pause := testPause(stderr)
	res := &zsic.Result{}
	var failed []zsic.Failure // this process's failures, as they come
	opt.Batch = func(preds []zsic.Prediction, fails []zsic.Failure) error {
		failed = append(failed, fails...)
		if journal == nil {
			return nil
		}
		if err := journal.Append(preds, fails); err != nil {
			return err
		}
		pause()
		return nil
	}
	stopProfile, err := startProfile(f.profile)
	if err != nil {
		return err
	}
	start, usage := time.Now(), rusage.Now()
	read := runreport.NewFingerprinter(src) // identifies the rows this process reads
	if todo := remaining(rows, done); len(todo) > 0 {
		res, err = clf.Evaluate(ctx, read, todo, opt)
		if perr := stopProfile(); err == nil && perr != nil {
			return perr
		}
		if err != nil && !(len(done.Predictions) > 0 && len(failed) == len(todo)) {
			return err
		}
		if err != nil {
			// Every row left failed, which alone is an error, but the
			// rows done before make a result.
			res = &zsic.Result{Failures: failed}
		}
	}
	if done.Rows() > 0 {
		res.Predictions = append(done.Predictions, res.Predictions...)
		slices.SortFunc(res.Predictions, func(a, b zsic.Prediction) int { return a.Row - b.Row })
		res.Failures = append(done.Failures, res.Failures...)
		slices.SortFunc(res.Failures, func(a, b zsic.Failure) int { return a.Row - b.Row })
		res.Samples = len(res.Predictions)
		res.Metrics = zsic.Measure(res.Predictions, len(text.classes))
	}
	if err := stopProfile(); err != nil {
		return err
	}
	wall, used := time.Since(start), usage.Since()
	res.TextEncode += textTime
	res.Timings.TextTower += textTime

	m := res.Metrics
	if s := f.scale.spec; s != nil {
		fmt.Fprintf(stdout, "shard %s: ", s)
	}
	fmt.Fprintf(stdout, "top-1 %.2f%%  top-5 %.2f%%  mean per-class recall %.2f%%  (%d samples, %.2f ms/image)\n",
		m.Top1, m.Top5, m.MeanPerClassRecall, res.Samples, ms(res.PerImage()))
	imageStats, textStats := clf.TowerStats()
	if !f.out.quiet {
		strict := ""
		if f.runtime.strictDevice {
			strict = ", no CPU fallback"
		}
		warm := "no warm run (one batch)"
		if imageStats.WarmRuns > 0 {
			warm = fmt.Sprintf("then %.2f ms/image warm", ms(imageStats.WarmPerItem()))
		}
		fmt.Fprintf(stderr, "device %s (ONNX Runtime's %s provider%s): sessions opened in %.0f ms; image tower: first run %.1f ms for %d image(s) (cold), %s\n",
			f.runtime.device, encoder.ProviderName(f.runtime.device), strict,
			ms(imageStats.Open+textStats.Open), ms(imageStats.First), imageStats.FirstItems, warm)
		printPlacement(stderr, placement)
	}
	if n := len(res.Failures); n > 0 {
		fmt.Fprintf(stderr, "warning: %d image(s) could not be read or decoded and were skipped; first: row %d: %s\n", n, res.Failures[0].Row, res.Failures[0].Err)
	}
	var rep report
	if f.out.output != "" {
		modelID := f.model.modelID
		if modelID == "" {
			modelID = clf.Model.Dir
		}
		base, err := runreport.New(runreport.Run{
			ModelID: modelID, Towers: clf.Model.Towers, Device: f.runtime.device,
			ExecutionProvider: encoder.ProviderName(f.runtime.device), StrictDevice: f.runtime.strictDevice, Placement: placement,
			Threads: res.Threads, Workers: res.Workers, Streams: res.Streams, ONNXRuntime: clf.rt.Version(),
			Dataset: runreport.Dataset{
				Path: f.data.path, Split: f.data.recordedSplit(), Samples: res.Samples, Shuffle: f.shuffle, Seed: f.seed, Manifest: f.manifest,
				ColumnsMapping: map[string]string{"input_column": cols.Image, "label_column": cols.Label},
			},
			Fingerprint: read.Fingerprint(),
			Prompts:     &text.record, Classes: text.classes, Start: runStart,
			Metrics: m, Failures: res.Failures,
			Timings: coldWarm(newTimings(res, wall+textTime, used), imageStats, textStats),
		})
		if err != nil {
			return err
		}
		rep = report{Report: *base, shardFields: shardFields{
			Variant: f.model.variant, Fingerprint: fp, Shard: f.scale.spec,
			Predictions: relPredictions(f.out.output, f.predictions),
		}}
		if f.predictions != "" {
			// The bytes writePredictions writes below.
			id, err := runreport.EncodePredictions(io.Discard, res.Predictions)
			if err != nil {
				return err
			}
			rep.PredictionsCount, rep.PredictionsSHA256 = id.Count, id.SHA256
		}
	}
	// The report and the predictions are committed together: both, or
	// neither, come from this run.
	err = writeOutputs(ctx, []string{f.out.output, f.predictions}, []func(io.Writer) error{
		func(w io.Writer) error { return encodeReport(w, &rep) },
		func(w io.Writer) error { _, err := runreport.EncodePredictions(w, res.Predictions); return err },
	})
	if err != nil || journal == nil {
		return err
	}
	return journal.Remove()
}

// check validates eval's flags before anything is read: numbers in range,
// --split only for a Hub dataset, and outputs that can be written without
// clobbering an input or each other.
func (f *evalFlags) check(fs *flag.FlagSet) error {
	if err := f.runtime.check(); err != nil {
		return err
	}
	if err := intRange("--samples", f.samples, 0, math.MaxInt32, "0 means every row"); err != nil {
		return err
	}
	if err := intRange("--batch-size", f.batchSize, 1, zsic.MaxBatchSize, "images and prompts per tower run"); err != nil {
		return err
	}
	if err := f.data.checkSplit(fs); err != nil {
		return err
	}
	return nil
}

// checkOutputs checks, before the run, that the outputs can be written
// without clobbering an input or each other.
func (f *evalFlags) checkOutputs() error {
	inputs := []outfile.Named{{Flag: "--labels", Path: f.data.labelsFile()}, {Flag: "--manifest", Path: f.manifest},
		{Flag: "--head", Path: f.text.head}, {Flag: "--classnames", Path: f.text.classnames}, {Flag: "--prompts", Path: f.text.cupl}}
	if f.data.local() {
		inputs = append(inputs, outfile.Named{Flag: "--dataset", Path: f.data.path})
	}
	inputs = append(inputs, f.model.inputs()...)
	err := outfile.Check([]outfile.Named{{Flag: "--output", Path: f.out.output}, {Flag: "--predictions", Path: f.predictions}}, inputs)
	if err != nil {
		return usageError{err.Error()}
	}
	if f.scale.resume && outfile.IsDevice(f.predictions) {
		return usagef("--resume: --predictions %s is a device or FIFO, which keeps no partial predictions to resume from; give a regular file", f.predictions)
	}
	return nil
}

// parseColumns reads --column KEY=COLUMN values over the defaults.
func parseColumns(vals []string) (dataset.Columns, error) {
	cols := dataset.DefaultColumns()
	for _, v := range vals {
		k, c, ok := strings.Cut(v, "=")
		if !ok || c == "" {
			return cols, fmt.Errorf("--column %s: want KEY=COLUMN with KEY input_column or label_column", v)
		}
		switch k {
		case "input_column":
			cols.Image = c
		case "label_column":
			cols.Label = c
		default:
			return cols, fmt.Errorf("--column %s: unknown key %q (want input_column or label_column)", v, k)
		}
	}
	return cols, nil
}

// writeJSON writes a file through fill, replacing it only when complete
// (see writeOutputs).
func writeJSON(path string, fill func(io.Writer) error) error {
	return writeOutputs(context.Background(), []string{path}, []func(io.Writer) error{fill})
}
