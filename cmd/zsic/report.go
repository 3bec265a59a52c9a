package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zsic/zsic/internal/htmlreport"
	"github.com/zsic/zsic/internal/outfile"
	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
	runreport "github.com/zsic/zsic/zsic/report"
)

// pageFlags are the flags report and compare share: where the class names
// and images come from, and where the page goes.
type pageFlags struct {
	ds     datasetFlags
	out    outputFlags
	format string
	title  string
	inputs []outfile.Named // the command's input files, for checkOutput and writePage
}

// registerPage registers the page flags on fs.
func registerPage(fs *flag.FlagSet, p *pageFlags, what string) {
	p.ds.register(fs, "the dataset the run evaluated, for the image thumbnails of the "+what)
	p.out.register(fs, "the page: .html (one self-contained file) or .md (with SVG and PNG files beside it)", false)
	fs.StringVar(&p.format, "format", "", "html or md (default: from --output's extension, else html)")
	fs.StringVar(&p.title, "title", "", "the page's title")
}

// pageFormat returns the output format the flags ask for.
func (p *pageFlags) pageFormat() (htmlreport.Format, error) {
	switch p.format {
	case "html":
		return htmlreport.HTML, nil
	case "md", "markdown":
		return htmlreport.Markdown, nil
	case "":
		if strings.EqualFold(filepath.Ext(p.out.output), ".md") {
			return htmlreport.Markdown, nil
		}
		return htmlreport.HTML, nil
	}
	return "", fmt.Errorf("--format %s: want html or md", p.format)
}

// checkOutput checks, before anything is read, that the page can be
// written to --output without clobbering an input (outfile.Check, as eval
// does), and keeps inputs for writePage's check of a Markdown page's files.
func (p *pageFlags) checkOutput(inputs ...outfile.Named) error {
	if p.ds.local() {
		inputs = append(inputs, outfile.Named{Flag: "--dataset", Path: p.ds.path})
	}
	inputs = append(inputs, outfile.Named{Flag: "--labels", Path: p.ds.labelsFile()})
	p.inputs = inputs
	if err := outfile.Check([]outfile.Named{{Flag: "--output", Path: p.out.output}}, inputs); err != nil {
		return usageError{err.Error()}
	}
	return nil
}

// classNames returns the class names: --labels, else fallback (e.g. the
// report's), else the dataset's; with none, "class N" names for every label
// in preds, saying so on stderr.
func (p *pageFlags) classNames(fallback []string, src dataset.Source, stderr io.Writer, preds ...[]zsic.Prediction) ([]string, string, error) {
	switch {
	case p.ds.labels != "":
		names, err := parseLabels(p.ds.labels)
		what := "--labels"
		if f := p.ds.labelsFile(); f != "" {
			what = "labels file " + f
		}
		return names, what, err
	case len(fallback) > 0:
		return fallback, "", nil
	case src != nil && len(src.Classes()) > 0:
		return src.Classes(), "dataset " + p.ds.path, nil
	}
	n := 0
	for _, ps := range preds {
		for _, q := range ps {
			n = max(n, q.Label+1, slices.Max(q.Top5)+1)
		}
	}
	fmt.Fprintf(stderr, "note: no class names (give --labels or --dataset); classes are shown by id\n")
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("class %d", i)
	}
	return names, "", nil
}

// openSource opens --dataset, or returns nil when it is not given.
func (p *pageFlags) openSource(ctx context.Context, stderr io.Writer) (dataset.Source, error) {
	if p.ds.path == "" {
		return nil, nil
	}
	src, _, err := p.ds.open(ctx, stderr)
	return src, err
}

// thumbnails reads the images of preds from src and returns their
// thumbnails by row. Every row must be in src with the prediction's
// label, or the dataset is not the one the run evaluated.
func thumbnails(src dataset.Source, name string, preds []zsic.Prediction) (map[int][]byte, error) {
	want := map[int]int{}
	var rows, missing []int
	for _, p := range preds {
		if _, dup := want[p.Row]; dup {
			continue
		}
		want[p.Row] = p.Label
		if p.Row >= src.Len() {
			missing = append(missing, p.Row)
			continue
		}
		rows = append(rows, p.Row)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("dataset %s has %d rows, but the predictions name row %s: is it the dataset the run evaluated?", name, src.Len(), joinInts(missing))
	}
	slices.Sort(rows)
	out := map[int][]byte{}
	err := src.Read(rows, func(s dataset.Sample) error {
		if l := want[s.Row]; s.Label != l {
			return fmt.Errorf("row %d has label %d in the dataset but %d in the predictions: is it the dataset the run evaluated?", s.Row, s.Label, l)
		}
		png, err := htmlreport.Thumbnail(s.Image)
		if err != nil {
			return fmt.Errorf("row %d: %w", s.Row, err)
		}
		out[s.Row] = png
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", name, err)
	}
	return out, nil
}

// joinInts lists a few ints.
func joinInts(xs []int) string {
	parts := make([]string, 0, 5)
	for _, x := range xs[:min(len(xs), 5)] {
		parts = append(parts, fmt.Sprint(x))
	}
	s := strings.Join(parts, ", ")
	if len(xs) > 5 {
		s += fmt.Sprintf(" and %d more", len(xs)-5)
	}
	return s
}

// writePage writes a rendered page to --output, and a Markdown page's
// files beside it, checked as --output is (see checkOutput) and committed
// together: either all are in place or none changed.
func (p *pageFlags) writePage(ctx context.Context, doc *htmlreport.Document) error {
	dir := filepath.Dir(p.out.output)
	names := make([]string, 0, len(doc.Files))
	for n := range doc.Files {
		names = append(names, n)
	}
	slices.Sort(names)
	outs := []outfile.Named{{Flag: "--output", Path: p.out.output}}
	paths := []string{p.out.output}
	fills := []func(io.Writer) error{func(w io.Writer) error { _, err := w.Write(doc.Body); return err }}
	for _, n := range names {
		data := doc.Files[n]
		path := filepath.Join(dir, n)
		outs = append(outs, outfile.Named{Flag: "the page's file", Path: path})
		paths = append(paths, path)
		fills = append(fills, func(w io.Writer) error { _, err := w.Write(data); return err })
	}
	if err := outfile.Check(outs, p.inputs); err != nil {
		return usageError{err.Error()}
	}
	return writeOutputs(ctx, paths, fills)
}

// pagePrefix is the name prefix of a Markdown page's files: --output's
// base name without its extension.
func (p *pageFlags) pagePrefix() string {
	base := filepath.Base(p.out.output)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// reportFlags are report's flags.
type reportFlags struct {
	page        pageFlags
	predictions string
	report      string
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f reportFlags
	fs := newFlagSet("report", "--predictions P.jsonl [--report R.json] [--dataset D] --output report.html",
		"zsic report --predictions out/predictions.jsonl --report out/report.json --dataset ../shared/data/cifar100/test.parquet --output out/report.html", stderr)
	fs.StringVar(&f.predictions, "predictions", "", "the predictions file of zsic eval --predictions (required)")
	fs.StringVar(&f.report, "report", "", "the JSON report of the same run (zsic eval --output), for its provenance and timings")
	registerPage(fs, &f.page, "most confident mistakes")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q (see zsic report --help)", pos[0])
	}
	if f.predictions == "" || f.page.out.output == "" {
		return errors.New("give --predictions FILE and --output FILE (see zsic report --help)")
	}
	format, err := f.page.pageFormat()
	if err != nil {
		return err
	}
	if err := f.page.checkOutput(outfile.Named{Flag: "--predictions", Path: f.predictions}, outfile.Named{Flag: "--report", Path: f.report}); err != nil {
		return err
	}
	preds, pfile, err := runreport.ReadPredictions(f.predictions)
	if err != nil {
		return err
	}
	var rep *runreport.Report
	var fromReport []string
	if f.report != "" {
		if rep, err = runreport.Read(f.report); err != nil {
			return err
		}
		if err := sameRun(rep, f.report, preds, pfile); err != nil {
			return err
		}
		fromReport = rep.ClassNames
	}
	src, err := f.page.openSource(ctx, stderr)
	if err != nil {
		return err
	}
	if src != nil {
		defer src.Close()
	}
	classes, from, err := f.page.classNames(fromReport, src, stderr, preds)
	if err != nil {
		return err
	}
	if from == "" && f.report != "" {
		from = "report " + f.report
	}
	if err := runreport.CheckLabels(preds, len(classes)); err != nil {
		return fmt.Errorf("predictions %s: %w of %s", f.predictions, err, cmp.Or(from, "the predictions"))
	}
	a := htmlreport.Analyze(preds, classes)
	var thumbs map[int][]byte
	if src != nil {
		if thumbs, err = thumbnails(src, f.page.ds.path, a.Mistakes); err != nil {
			return err
		}
	}
	title := f.page.title
	if title == "" {
		title = "zsic report"
		if rep != nil {
			title = "zsic report: " + rep.ModelID
		}
	}
	sources := []string{f.predictions}
	if f.report != "" {
		sources = append(sources, f.report)
	}
	if f.page.ds.path != "" {
		sources = append(sources, f.page.ds.path)
	}
	doc, err := htmlreport.RenderRun(htmlreport.Run{Title: title, Analysis: a, Report: rep, Sources: sources, Thumbs: thumbs}, format, f.page.pagePrefix())
	if err != nil {
		return err
	}
	if err := f.page.writePage(ctx, doc); err != nil {
		return err
	}
	printMetrics(stdout, a, rep)
	fmt.Fprintf(stdout, "wrote %s\n", f.page.out.output)
	return nil
}

// printMetrics prints a run's metrics as a table, with the report's model,
// dataset, failures and time per image when there is one.
func printMetrics(w io.Writer, a *htmlreport.Analysis, rep *runreport.Report) {
	row := func(k, v string) { fmt.Fprintf(w, "%-22s %s\n", k, v) }
	if rep != nil {
		row("model", rep.ModelID)
		row("dataset", rep.Dataset.Path)
	}
	m := a.Metrics
	row("samples", fmt.Sprint(a.Samples))
	row("top-1 accuracy", fmt.Sprintf("%.2f%%", m.Top1))
	row("top-5 accuracy", fmt.Sprintf("%.2f%%", m.Top5))
	row("mean per-class recall", fmt.Sprintf("%.2f%%", m.MeanPerClassRecall))
	if rep != nil {
		row("failed rows", fmt.Sprint(rep.FailureCount))
		row("time per image", fmt.Sprintf("%.3f ms", rep.Timings.PerImageMS))
	}
}

// sameRun checks that preds (read from pfile) are the predictions the
// report rep was written with.
func sameRun(rep *runreport.Report, repPath string, preds []zsic.Prediction, pfile runreport.PredictionsFile) error {
	if rep.PredictionsSHA256 != "" {
		if rep.PredictionsSHA256 != pfile.SHA256 {
			return fmt.Errorf("predictions %s (%d lines, sha256 %.12s) are not the ones report %s was written with (%d lines, sha256 %.12s): give the predictions and report of the same run",
				pfile.Path, pfile.Count, pfile.SHA256, repPath, rep.PredictionsCount, rep.PredictionsSHA256)
		}
		return nil
	}
	n := 0
	for _, p := range preds {
		n = max(n, p.Label+1, slices.Max(p.Top5)+1)
	}
	m := zsic.Measure(preds, n)
	if len(preds) != rep.Dataset.Samples || math.Abs(m.Top1-rep.Metrics.Top1) > 1e-6 || math.Abs(m.Top5-rep.Metrics.Top5) > 1e-6 {
		return fmt.Errorf("predictions %s (%d samples, top-1 %.4f%%) do not match report %s (%d samples, top-1 %.4f%%): give the predictions and report of the same run",
			pfile.Path, len(preds), m.Top1, repPath, rep.Dataset.Samples, rep.Metrics.Top1)
	}
	return nil
}
