package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/zsic/zsic/zsic/hub"
)

// tableEntry is one report's row of a results table.
type tableEntry struct {
	path    string // the report file
	model   string // model label, with variant and shard
	dataset string // dataset label, with its selection
	samples int
	top1    float64
	top5    float64
	recall  float64
}

func runTable(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("table", "[--csv] REPORT...",
		"zsic table 'out/*/report.json'", stderr)
	asCSV := fs.Bool("csv", false, "print CSV, one line per model and dataset, instead of a markdown table")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	paths, err := expandGlobs(pos)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return errors.New("no reports: give the JSON reports of zsic eval or zsic merge (globs welcome)")
	}
	var entries []tableEntry
	for _, p := range paths {
		r, err := readReport(p)
		if err != nil {
			return err
		}
		if r.Task != Task {
			return fmt.Errorf("%s is not a zsic eval report (task %q)", p, r.Task)
		}
		entries = append(entries, tableEntry{
			path: p, model: modelLabel(r), dataset: datasetLabel(r), samples: r.Dataset.Samples,
			top1: r.Metrics.Top1, top5: r.Metrics.Top5, recall: r.Metrics.MeanPerClassRecall,
		})
	}
	entries, err = dedupe(entries)
	if err != nil {
		return err
	}
	if *asCSV {
		return writeCSV(stdout, entries)
	}
	writeMarkdown(stdout, entries)
	return nil
}

// modelLabel names a report's model: its Hub id, or its folder's name, with
// the variant and the shard.
func modelLabel(r *report) string {
	s := r.ModelID
	if !isHubID(s) {
		s = filepath.Base(s)
	}
	if r.Variant != "" {
		s += " (" + r.Variant + ")"
	}
	if r.Shard != nil {
		s += " [shard " + r.Shard.String() + "]"
	}
	return s
}

// datasetLabel names a report's dataset: its Hub id and split, or the last
// two elements of its path, with how the rows were selected.
func datasetLabel(r *report) string {
	d := r.Dataset
	s := d.Path
	if isHubID(s) {
		s += ":" + d.Split
	} else {
		s = filepath.ToSlash(filepath.Clean(s))
		if parts := strings.Split(s, "/"); len(parts) > 2 {
			s = strings.Join(parts[len(parts)-2:], "/")
		}
	}
	switch {
	case d.Manifest != "":
		s += " [manifest " + filepath.Base(d.Manifest) + "]"
	case d.Shuffle:
		n := d.Samples
		if r.Fingerprint != nil {
			n = r.Fingerprint.Selection.Samples
		}
		s += fmt.Sprintf(" [%d shuffled, seed %d]", n, d.Seed)
	case r.Fingerprint != nil && r.Fingerprint.Selection.Samples > 0:
		s += fmt.Sprintf(" [first %d]", r.Fingerprint.Selection.Samples)
	}
	return s
}

// dedupe drops reports repeated with the same numbers and fails, listing
// them, on reports of the same model and dataset with different numbers.
func dedupe(entries []tableEntry) ([]tableEntry, error) {
	type key struct{ model, dataset string }
	first := map[key]int{}
	var out []tableEntry
	var conflicts []string
	for _, e := range entries {
		k := key{e.model, e.dataset}
		i, ok := first[k]
		if !ok {
			first[k] = len(out)
			out = append(out, e)
			continue
		}
		o := out[i]
		if o.samples != e.samples || o.top1 != e.top1 || o.top5 != e.top5 || o.recall != e.recall {
			conflicts = append(conflicts, fmt.Sprintf("%s on %s: %s says top-1 %s (%d samples), %s says top-1 %s (%d samples)",
				e.model, e.dataset, o.path, pct(o.top1), o.samples, e.path, pct(e.top1), e.samples))
		}
	}
	if len(conflicts) > 0 {
		return nil, fmt.Errorf("%d conflicting duplicate(s), the same model and dataset with different results:\n  %s",
			len(conflicts), strings.Join(conflicts, "\n  "))
	}
	slices.SortStableFunc(out, func(a, b tableEntry) int {
		return cmp.Or(cmp.Compare(a.model, b.model), cmp.Compare(a.dataset, b.dataset))
	})
	return out, nil
}

// isHubID reports whether a report's model or dataset names a Hub
// repository rather than a local path (as eval decides for --dataset).
func isHubID(s string) bool {
	if _, err := os.Stat(s); err == nil {
		return false
	}
	return hub.IsRepoID(s) && filepath.Ext(s) == ""
}

func pct(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// writeMarkdown prints a model × dataset table; each cell holds top-1,
// top-5 and mean per-class recall.
func writeMarkdown(w io.Writer, entries []tableEntry) {
	var models, datasets []string
	cells := map[[2]string]tableEntry{}
	for _, e := range entries {
		if !slices.Contains(models, e.model) {
			models = append(models, e.model)
		}
		if !slices.Contains(datasets, e.dataset) {
			datasets = append(datasets, e.dataset)
		}
		cells[[2]string{e.model, e.dataset}] = e
	}
	slices.Sort(datasets)
	fmt.Fprintln(w, "top-1 / top-5 / mean per-class recall, in %; n = samples scored")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| model |")
	for _, d := range datasets {
		fmt.Fprintf(w, " %s |", mdEscape(d))
	}
	fmt.Fprint(w, "\n| --- |")
	for range datasets {
		fmt.Fprint(w, " --- |")
	}
	fmt.Fprintln(w)
	for _, m := range models {
		fmt.Fprintf(w, "| %s |", mdEscape(m))
		for _, d := range datasets {
			e, ok := cells[[2]string{m, d}]
			if !ok {
				fmt.Fprint(w, " |")
				continue
			}
			fmt.Fprintf(w, " %s / %s / %s (n = %d) |", pct(e.top1), pct(e.top5), pct(e.recall), e.samples)
		}
		fmt.Fprintln(w)
	}
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// writeCSV prints one line per model and dataset.
func writeCSV(w io.Writer, entries []tableEntry) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"model", "dataset", "samples", "top1_accuracy", "top5_accuracy", "mean_per_class_recall", "report"})
	for _, e := range entries {
		cw.Write([]string{e.model, e.dataset, strconv.Itoa(e.samples), pct(e.top1), pct(e.top5), pct(e.recall), e.path})
	}
	cw.Flush()
	return cw.Error()
}
