package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zsic/zsic/internal/shard"
	"github.com/zsic/zsic/zsic"
	runreport "github.com/zsic/zsic/zsic/report"
)

// shardFields are the report's fields for sharded, merged and resumable
// runs.
type shardFields struct {
	// Variant is the --variant evaluated ("" for fp32).
	Variant string `json:"variant,omitempty"`
	// Fingerprint identifies the run (see shard.Fingerprint).
	Fingerprint *shard.Fingerprint `json:"fingerprint,omitempty"`
	// Shard is the part of the run this report covers; absent for a whole
	// run.
	Shard *shard.Spec `json:"shard,omitempty"`
	// MergedShards is the number of shards a merged report was made from.
	MergedShards int `json:"merged_shards,omitempty"`
	// Predictions is the predictions file, relative to the report's folder
	// when it lies under it.
	Predictions string `json:"predictions,omitempty"`
}

// relPredictions returns the predictions path to record in the report at
// reportPath: relative to the report's folder when it is under it, else
// absolute.
func relPredictions(reportPath, predsPath string) string {
	if predsPath == "" {
		return ""
	}
	abs, err := filepath.Abs(predsPath)
	if err != nil {
		return predsPath
	}
	dir, err := filepath.Abs(filepath.Dir(reportPath))
	if err != nil {
		return abs
	}
	if rel, err := filepath.Rel(dir, abs); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return abs
}

// expandGlobs replaces each argument holding a glob pattern by the files it
// matches (zsic merge and table run without a shell in a container).
func expandGlobs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if !strings.ContainsAny(a, "*?[") {
			out = append(out, a)
			continue
		}
		m, err := filepath.Glob(a)
		if err != nil {
			return nil, fmt.Errorf("pattern %s: %w", a, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("pattern %s matches no file", a)
		}
		out = append(out, m...)
	}
	return out, nil
}

// readReport reads a JSON report.
func readReport(path string) (*report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("read report %s: %w", path, err)
	}
	return &r, nil
}

// writeReport writes rep as indented JSON to path, atomically.
func writeReport(path string, rep *report) error {
	return writeJSON(path, func(w io.Writer) error { return encodeReport(w, rep) })
}

// encodeReport writes rep as indented JSON.
func encodeReport(w io.Writer, rep *report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// writePredictions writes one JSON line per prediction to path, atomically.
func writePredictions(path string, preds []zsic.Prediction) error {
	return writeJSON(path, func(w io.Writer) error {
		_, err := runreport.EncodePredictions(w, preds)
		return err
	})
}

// mergeFlags are merge's command line.
type mergeFlags struct {
	out         outputFlags
	predictions string
	reports     []string // as given, before glob expansion
}

// parseMerge parses merge's command line.
func parseMerge(args []string, stderr io.Writer) (*mergeFlags, error) {
	var f mergeFlags
	fs := newFlagSet("merge", "--output REPORT [--predictions FILE] SHARD_REPORT...",
		"zsic merge --output out/report.json --predictions out/predictions.jsonl 'out/shard-*.json'", stderr)
	f.out.register(fs, "the merged JSON report (required)", false)
	fs.StringVar(&f.predictions, "predictions", "", "write the merged predictions, ordered by row, to this file")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if f.out.output == "" {
		return nil, errors.New("no --output: give the file for the merged report")
	}
	if len(pos) == 0 {
		return nil, errors.New("no shard reports: give the reports the shards wrote (globs welcome, e.g. 'out/shard-*.json')")
	}
	f.reports = pos
	return &f, nil
}

func runMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseMerge(args, stderr)
	if err != nil {
		return err
	}
	output, predsOut := &f.out.output, &f.predictions
	paths, err := expandGlobs(f.reports)
	if err != nil {
		return err
	}
	for _, out := range []string{*output, *predsOut} {
		if out != "" && slices.ContainsFunc(paths, func(p string) bool { return samePath(p, out) }) {
			return fmt.Errorf("%s is both a shard report and an output; write the merged files elsewhere", out)
		}
	}
	if *predsOut != "" && samePath(*output, *predsOut) {
		return fmt.Errorf("--output and --predictions are the same file %s", *output)
	}

	reports := make([]*report, len(paths))
	parts := make([]shard.Part, len(paths))
	for i, p := range paths {
		r, err := readReport(p)
		if err != nil {
			return err
		}
		reports[i] = r
		parts[i] = shard.Part{Name: p, Shard: r.Shard, Fingerprint: r.Fingerprint, Failures: r.Failures}
		if r.Shard == nil || r.Fingerprint == nil {
			continue // Merge lists it
		}
		if r.Predictions == "" {
			return fmt.Errorf("shard report %s names no predictions file (run each shard with --predictions)", p)
		}
		pp := r.Predictions
		if !filepath.IsAbs(pp) {
			pp = filepath.Join(filepath.Dir(p), pp)
		}
		if parts[i].Predictions, err = shard.ReadPredictions(pp); err != nil {
			return fmt.Errorf("shard report %s: %w", p, err)
		}
	}
	m, err := shard.Merge(parts)
	if err != nil {
		return err
	}

	// The merged report is shard 0's, with the whole run's numbers.
	first := slices.IndexFunc(reports, func(r *report) bool { return r.Shard.Index == 0 })
	rep := *reports[first]
	rep.Shard = nil
	rep.MergedShards = m.Count
	rep.Metrics = m.Metrics
	rep.Failures = m.Failures
	rep.FailureCount = len(m.Failures)
	rep.Dataset.Samples = len(m.Predictions)
	rep.Timings = runreport.Timings{}
	for _, r := range reports {
		rep.Timings.TextEncodeS += r.Timings.TextEncodeS
		rep.Timings.ImageEncodeS += r.Timings.ImageEncodeS
	}
	rep.Timings.PerImageMS = 1000 * rep.Timings.ImageEncodeS / float64(len(m.Predictions))
	rep.Predictions = relPredictions(*output, *predsOut)
	if *predsOut != "" {
		if err := writePredictions(*predsOut, m.Predictions); err != nil {
			return err
		}
	}
	if err := writeReport(*output, &rep); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "top-1 %.2f%%  top-5 %.2f%%  mean per-class recall %.2f%%  (%d samples, %d shards merged)\n",
		m.Metrics.Top1, m.Metrics.Top5, m.Metrics.MeanPerClassRecall, len(m.Predictions), m.Count)
	return nil
}

// samePath reports whether a and b name the same file: the same path, or
// the same existing file.
func samePath(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
