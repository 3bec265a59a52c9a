// Package htmlreport renders zsic's reports people look at: the page of one
// evaluation run (`zsic report`) and the paired comparison of two runs
// (`zsic compare`), as one self-contained HTML file that works offline (no
// scripts, fonts or requests: charts are inline SVG drawn by
// gonum.org/v1/plot, thumbnails are data: URIs, and a Content Security
// Policy forbids loading anything) or as Markdown with the SVG and PNG
// files beside it.
package htmlreport

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/report"
)

// Run is the input of a run's page.
type Run struct {
	// Title heads the page.
	Title string
	// Analysis is the run's analysis (see Analyze).
	Analysis *Analysis
	// Report is the run's JSON report, or nil.
	Report *report.Report
	// Sources names the files the page was made from, in order.
	Sources []string
	// Thumbs holds PNG thumbnails (see Thumbnail) by dataset row, for the
	// gallery; rows without one show no image.
	Thumbs map[int][]byte
}

// Compare is the input of a comparison's page.
type Compare struct {
	// Title heads the page.
	Title string
	// NameA and NameB name the two runs (e.g. their files).
	NameA, NameB string
	// Comparison is the paired analysis.
	Comparison *Comparison
	// Alpha is the significance level of the verdict.
	Alpha float64
	// Thumbs holds PNG thumbnails by dataset row, for the flip gallery.
	Thumbs map[int][]byte
}

// Document is a rendered page: the HTML, or the Markdown with the files it
// links to.
type Document struct {
	// Body is the HTML or Markdown text.
	Body []byte
	// Files are the files a Markdown document links to, by name relative
	// to it; empty for HTML, which embeds everything.
	Files map[string][]byte
}

// Format is an output format.
type Format string

// The formats.
const (
	HTML     Format = "html"
	Markdown Format = "md"
)

// executor is a parsed html/template or text/template.
type executor interface {
	Execute(w io.Writer, data any) error
}

// kv is one row of a key/value table.
type kv struct{ Key, Value string }

// card is one gallery entry.
type card struct {
	Row   int
	Img   string // the image's URL: a data: URI (HTML) or a file name (Markdown)
	Title string
	Lines []string
	Kind  string
}

// runView is what the run template reads.
type runView struct {
	Title      string
	Sources    []string
	Summary    []kv
	Provenance []kv
	Timings    []kv
	Failures   []string
	Charts     map[string]template.HTML
	ChartFiles map[string]string
	Bars       int
	Cells      int
	Bins       int
	Pairs      []kv
	Omitted    []string
	Gallery    []card
	NoImages   bool
}

// RenderRun renders a run's page in format f. Markdown names its files
// prefix-NAME.svg and prefix-row-N.png.
func RenderRun(r Run, f Format, prefix string) (*Document, error) {
	a := r.Analysis
	charts, err := drawCharts(
		func() (Chart, error) { return perClassChart(a.PerClass) },
		func() (Chart, error) { return confusionChart(a.Order, a.Confusion, a.Classes) },
		func() (Chart, error) { return scoreChart(a.Right, a.Wrong) },
	)
	if err != nil {
		return nil, err
	}
	v := runView{Title: r.Title, Sources: r.Sources, Bars: len(a.PerClass), Cells: len(a.Order) * len(a.Order), Bins: 2 * HistogramBins}
	m := a.Metrics
	v.Summary = []kv{
		{"samples", fmt.Sprint(a.Samples)},
		{"top-1 accuracy", pct(m.Top1)},
		{"top-5 accuracy", pct(m.Top5)},
		{"mean per-class recall", pct(m.MeanPerClassRecall)},
		{"classes", fmt.Sprintf("%d (%d with samples)", len(a.Classes), len(a.PerClass))},
	}
	if rep := r.Report; rep != nil {
		v.Summary = append([]kv{{"model", rep.ModelID}, {"dataset", rep.Dataset.Path}}, v.Summary...)
		v.Summary = append(v.Summary, kv{"failed rows", fmt.Sprint(rep.FailureCount)})
		v.Provenance = append(flatten("", jsonValue(rep.Provenance)), flatten("prompts", jsonValue(rep.Prompts))...)
		v.Timings = flatten("", jsonValue(rep.Timings))
		for _, f := range rep.Failures[:min(len(rep.Failures), maxListed)] {
			v.Failures = append(v.Failures, fmt.Sprintf("row %d: %s", f.Row, f.Err))
		}
	}
	for _, p := range a.Pairs {
		v.Pairs = append(v.Pairs, kv{fmt.Sprintf("%s → %s", name(a.Classes, p.True), name(a.Classes, p.Pred)), fmt.Sprint(p.Count)})
	}
	if len(a.Order) < len(a.Classes) {
		v.Omitted = append(v.Omitted, fmt.Sprintf("The heatmap shows the %d of %d classes most involved in confusions.", len(a.Order), len(a.Classes)))
	}
	doc := &Document{Files: map[string][]byte{}}
	for _, p := range a.Mistakes {
		c := card{Row: p.Row, Title: fmt.Sprintf("row %d: %s", p.Row, name(a.Classes, p.Label)),
			Lines: []string{fmt.Sprintf("top-1 %s (%.3f)", name(a.Classes, p.Top5[0]), p.Scores[0]), "top-5 " + top5(a.Classes, p)}}
		c.Img = imageRef(f, prefix, p.Row, r.Thumbs, doc)
		v.Gallery = append(v.Gallery, c)
	}
	v.NoImages = len(r.Thumbs) == 0
	v.Charts, v.ChartFiles = placeCharts(f, prefix, charts, doc)
	var tmpl executor = runHTML
	if f == Markdown {
		tmpl = runMD
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	doc.Body = b.Bytes()
	return doc, nil
}

// compareView is what the compare template reads.
type compareView struct {
	Title      string
	NameA      string
	NameB      string
	Verdict    string
	Worse      bool
	Summary    [][4]string
	Stats      []kv
	Charts     map[string]template.HTML
	ChartFiles map[string]string
	Bars       int
	Changed    int
	Unchanged  int
	Worst      []ClassDelta
	Best       []ClassDelta
	Gallery    []card
	FlipsShown int
	Flips      int
	NoImages   bool
}

// RenderCompare renders a comparison's page in format f.
func RenderCompare(in Compare, f Format, prefix string) (*Document, error) {
	c := in.Comparison
	changed := c.Changed()
	var charts []Chart
	if len(changed) > 0 {
		var err error
		if charts, err = drawCharts(func() (Chart, error) { return deltaChart(changed) }); err != nil {
			return nil, err
		}
	}
	t := c.Table
	a1, b1 := t.Top1()
	lo, hi := t.DeltaCI95()
	rw, wr, ww := c.FlipCounts()
	v := compareView{Title: in.Title, NameA: in.NameA, NameB: in.NameB, Verdict: Verdict(c, in.Alpha), Worse: t.Delta() < 0 && c.Significant(in.Alpha),
		Bars: 2 * len(changed), Changed: len(changed), Unchanged: len(c.PerClass) - len(changed), Flips: len(c.Flips)}
	v.Summary = [][4]string{
		{"top-1 accuracy", pct(a1), pct(b1), pts(b1 - a1)},
		{"top-5 accuracy", pct(c.A.Top5), pct(c.B.Top5), pts(c.B.Top5 - c.A.Top5)},
		{"mean per-class recall", pct(c.A.MeanPerClassRecall), pct(c.B.MeanPerClassRecall), pts(c.B.MeanPerClassRecall - c.A.MeanPerClassRecall)},
	}
	v.Stats = []kv{
		{"paired samples", fmt.Sprint(t.N)},
		{"Δ top-1, 95% CI", fmt.Sprintf("%s (%+.2f to %+.2f)", pts(t.Delta()), lo, hi)},
		{"top-1 agreement", fmt.Sprintf("%d of %d = %s", t.Agree, t.N, pct(t.Agreement()))},
		{"flips", fmt.Sprintf("%d: %d right→wrong, %d wrong→right, %d wrong→wrong", len(c.Flips), rw, wr, ww)},
		{"discordant pairs", fmt.Sprintf("b = %d (only A right), c = %d (only B right)", t.OnlyFirst, t.OnlySecond)},
		{"exact McNemar p", FormatP(t.PValue())},
	}
	v.Worst, v.Best = c.Worsened(15), c.Improved(15)
	doc := &Document{Files: map[string][]byte{}}
	for _, fl := range c.Flips[:min(len(c.Flips), GallerySize)] {
		cd := card{Row: fl.A.Row, Kind: fl.Kind(), Title: fmt.Sprintf("row %d: %s (%s)", fl.A.Row, name(c.Classes, fl.A.Label), fl.Kind()),
			Lines: []string{
				fmt.Sprintf("A: %s (%.3f)", name(c.Classes, fl.A.Top5[0]), fl.A.Scores[0]),
				fmt.Sprintf("B: %s (%.3f)", name(c.Classes, fl.B.Top5[0]), fl.B.Scores[0]),
			}}
		cd.Img = imageRef(f, prefix, fl.A.Row, in.Thumbs, doc)
		v.Gallery = append(v.Gallery, cd)
	}
	v.FlipsShown = len(v.Gallery)
	v.NoImages = len(in.Thumbs) == 0
	v.Charts, v.ChartFiles = placeCharts(f, prefix, charts, doc)
	var tmpl executor = compareHTML
	if f == Markdown {
		tmpl = compareMD
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("render comparison: %w", err)
	}
	doc.Body = b.Bytes()
	return doc, nil
}

// Verdict says in one line whether B is better, worse or not
// significantly different from A at level alpha.
func Verdict(c *Comparison, alpha float64) string {
	t := c.Table
	d := t.Delta()
	switch {
	case !c.Significant(alpha):
		return fmt.Sprintf("no significant difference: B's top-1 is %s against A (exact McNemar %s ≥ %g)", pts(d), DescribeP(t.PValue()), alpha)
	case d < 0:
		return fmt.Sprintf("B is significantly worse: top-1 %s (exact McNemar %s < %g)", pts(d), DescribeP(t.PValue()), alpha)
	default:
		return fmt.Sprintf("B is significantly better: top-1 %s (exact McNemar %s < %g)", pts(d), DescribeP(t.PValue()), alpha)
	}
}

// drawCharts draws each chart.
func drawCharts(draws ...func() (Chart, error)) ([]Chart, error) {
	var out []Chart
	for _, d := range draws {
		c, err := d()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// placeCharts returns the charts inline (HTML) or as files of doc named
// prefix-ID.svg (Markdown).
func placeCharts(f Format, prefix string, charts []Chart, doc *Document) (map[string]template.HTML, map[string]string) {
	inline, files := map[string]template.HTML{}, map[string]string{}
	for _, c := range charts {
		if f == Markdown {
			name := prefix + "-" + c.ID + ".svg"
			doc.Files[name] = c.SVG
			files[c.ID] = name
			continue
		}
		inline[c.ID] = template.HTML(c.Inline()) // drawn by vgsvg from escaped text
	}
	return inline, files
}

// imageRef returns a gallery image's URL for row, adding its file to doc
// for Markdown; "" when there is no thumbnail.
func imageRef(f Format, prefix string, row int, thumbs map[int][]byte, doc *Document) string {
	png, ok := thumbs[row]
	if !ok {
		return ""
	}
	if f == Markdown {
		name := fmt.Sprintf("%s-row-%d.png", prefix, row)
		doc.Files[name] = png
		return name
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}

// top5 lists a prediction's ranked labels with their scores.
func top5(classes []string, p zsic.Prediction) string {
	parts := make([]string, len(p.Top5))
	for i, l := range p.Top5 {
		parts[i] = fmt.Sprintf("%s %.3f", name(classes, l), p.Scores[i])
	}
	return strings.Join(parts, ", ")
}

// jsonValue returns v as generic JSON values.
func jsonValue(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil
	}
	return out
}

// maxListed is the longest list a key/value table prints in full.
const maxListed = 6

// flatten lists the leaves of a JSON value as dotted keys and values, in
// key order; long lists are summarized by their length.
func flatten(prefix string, v any) []kv {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []kv
		for _, k := range keys {
			out = append(out, flatten(join(k), x[k])...)
		}
		return out
	case []any:
		if len(x) > maxListed {
			return []kv{{prefix, fmt.Sprintf("%d items", len(x))}}
		}
		parts := make([]string, len(x))
		for i, e := range x {
			if s, ok := e.(string); ok {
				parts[i] = s
			} else {
				b, _ := json.Marshal(e)
				parts[i] = string(b)
			}
		}
		return []kv{{prefix, strings.Join(parts, " | ")}}
	case float64:
		return []kv{{prefix, formatNumber(x)}}
	case nil:
		return []kv{{prefix, "—"}}
	default:
		return []kv{{prefix, fmt.Sprint(x)}}
	}
}

// formatNumber prints an integer as one, else with four significant
// digits.
func formatNumber(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.4g", x)
}

// pct prints a percentage with two decimals.
func pct(x float64) string { return fmt.Sprintf("%.2f%%", x) }

// pts prints a difference in points with its sign.
func pts(x float64) string { return fmt.Sprintf("%+.2f pts", x) }

// DescribeP prints "p = P" (three significant digits), or "p < 0.0001".
func DescribeP(p float64) string {
	if p < 1e-4 {
		return "p < 0.0001"
	}
	return "p = " + FormatP(p)
}

// FormatP prints a p-value with three significant digits, or "< 0.0001".
func FormatP(p float64) string {
	if p < 1e-4 {
		return "< 0.0001"
	}
	return fmt.Sprintf("%.3g", p)
}
