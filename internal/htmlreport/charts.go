package htmlreport

import (
	"bytes"
	"fmt"
	"image/color"
	"regexp"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The charts are drawn by gonum.org/v1/plot into SVG, which the pages
// inline so that the report is one self-contained file (and a browser can
// see every bar and cell in the DOM). Each chart's filled shapes are only
// its bars, bins or cells: no plot background and no in-plot legend (the
// page writes the legend), so a test can count them by fill colour.

// Chart colours.
var (
	barColor   = color.RGBA{R: 0x3b, G: 0x6e, B: 0xa8, A: 0xff}
	rightColor = color.RGBA{R: 0x2e, G: 0x8b, B: 0x57, A: 0xff}
	wrongColor = color.RGBA{R: 0xc0, G: 0x39, B: 0x2b, A: 0xff}
)

// chartFont is the charts' font: Liberation Sans, which the SVG names
// (browsers without it fall back to their sans-serif font).
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// Chart is one rendered chart.
type Chart struct {
	// ID names the chart: "per-class", "confusion", "scores", "delta".
	ID string
	// SVG is the chart as a standalone SVG document.
	SVG []byte
}

// Inline returns the SVG without its XML declaration and comment, to be
// embedded in HTML.
func (c Chart) Inline() string {
	return string(svgPrologue.ReplaceAll(c.SVG, nil))
}

var svgPrologue = regexp.MustCompile(`(?s)\A<\?xml[^>]*\?>\s*(<!--.*?-->\s*)?`)

// newPlot makes a plot with the charts' font and no background.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = x, y
	for _, s := range []*draw.TextStyle{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label} {
		s.Font = font.From(chartFont, s.Font.Size)
	}
	p.Title.TextStyle.Font.Size = 12
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = 10, 10
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = 8, 8
	return p
}

// render draws p into an SVG of w×h points.
func render(id string, p *plot.Plot, w, h vg.Length) (Chart, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return Chart{}, fmt.Errorf("chart %s: %w", id, err)
	}
	return Chart{ID: id, SVG: b.Bytes()}, nil
}

// rowHeight is the height of one bar or class row in the long charts.
const rowHeight vg.Length = 11

// perClassChart draws each class's top-1 accuracy as a horizontal bar,
// the worst class at the top.
func perClassChart(stats []ClassStat) (Chart, error) {
	n := len(stats)
	vals := make(plotter.Values, n)
	names := make([]string, n)
	for i, s := range stats { // stats are worst first; bar 0 is at the bottom
		vals[n-1-i] = s.Top1()
		names[n-1-i] = fmt.Sprintf("%s (%d/%d)", s.Name, s.Right, s.N)
	}
	p := newPlot("Top-1 accuracy by class", "top-1 accuracy (%)", "")
	bars, err := plotter.NewBarChart(vals, rowHeight*0.75)
	if err != nil {
		return Chart{}, fmt.Errorf("chart per-class: %w", err)
	}
	bars.Horizontal = true
	bars.Color = barColor
	bars.LineStyle.Width = 0
	p.Add(bars)
	p.NominalY(names...)
	p.X.Min, p.X.Max = 0, 100
	p.Add(plotter.NewGrid())
	return render("per-class", p, 560, rowHeight*vg.Length(n)+80)
}

// deltaChart draws each class's change of top-1 accuracy from A to B as a
// horizontal bar, the most worsened class at the top: losses in the wrong
// colour, gains in the right colour.
func deltaChart(classes []ClassDelta) (Chart, error) {
	n := len(classes)
	loss, gain := make(plotter.Values, n), make(plotter.Values, n)
	names := make([]string, n)
	lo, hi := -1.0, 1.0
	for i, c := range classes { // most worsened first; bar 0 is at the bottom
		d := c.Delta()
		if d < 0 {
			loss[n-1-i] = d
		} else {
			gain[n-1-i] = d
		}
		lo, hi = min(lo, d), max(hi, d)
		names[n-1-i] = fmt.Sprintf("%s (%d→%d of %d)", c.Name, c.Top1A, c.Top1B, c.N)
	}
	p := newPlot("Change of top-1 accuracy by class, B − A", "Δ top-1 (points)", "")
	for _, s := range []struct {
		vals plotter.Values
		col  color.Color
	}{{loss, wrongColor}, {gain, rightColor}} {
		bars, err := plotter.NewBarChart(s.vals, rowHeight*0.75)
		if err != nil {
			return Chart{}, fmt.Errorf("chart delta: %w", err)
		}
		bars.Horizontal = true
		bars.Color = s.col
		bars.LineStyle.Width = 0
		p.Add(bars)
	}
	p.NominalY(names...)
	p.X.Min, p.X.Max = lo, hi
	p.Add(plotter.NewGrid())
	return render("delta", p, 560, rowHeight*vg.Length(n)+80)
}

// scoreChart draws histograms of the top-1 scores of right and wrong
// predictions, side by side in each bin over [0, 1].
func scoreChart(right, wrong []float64) (Chart, error) {
	p := newPlot("Top-1 score of right and wrong predictions", "top-1 score", "predictions")
	w := 1.0 / HistogramBins
	for i, s := range []struct {
		scores []float64
		col    color.Color
	}{{right, rightColor}, {wrong, wrongColor}} {
		h := &plotter.Histogram{Width: w / 2, FillColor: s.col}
		h.LineStyle.Width = 0
		h.Bins = make([]plotter.HistogramBin, HistogramBins)
		for b := range h.Bins {
			lo := float64(b)*w + float64(i)*w/2
			h.Bins[b] = plotter.HistogramBin{Min: lo, Max: lo + w/2}
		}
		for _, v := range s.scores {
			b := min(max(int(v/w), 0), HistogramBins-1)
			h.Bins[b].Weight++
		}
		p.Add(h)
	}
	p.X.Min, p.X.Max = 0, 1
	p.Y.Min = 0
	return render("scores", p, 560, 280)
}

// heatGrid is a confusion matrix restricted to and ordered by order, for
// plotter.HeatMap: column c is the predicted class order[c], row r the
// true class order[len-1-r] (so the first true class is at the top).
type heatGrid struct {
	order     []int
	confusion [][]int
}

func (g heatGrid) Dims() (c, r int) { return len(g.order), len(g.order) }
func (g heatGrid) Z(c, r int) float64 {
	return float64(g.confusion[g.order[len(g.order)-1-r]][g.order[c]])
}
func (g heatGrid) X(c int) float64 { return float64(c) }
func (g heatGrid) Y(r int) float64 { return float64(r) }

// ramp is a palette from white to dark blue.
type ramp []color.Color

func (r ramp) Colors() []color.Color { return r }

// blues returns n colours from white to dark blue.
func blues(n int) ramp {
	out := make(ramp, n)
	for i := range out {
		t := float64(i) / float64(n-1)
		out[i] = color.RGBA{R: uint8(255 - t*(255-0x08)), G: uint8(255 - t*(255-0x30)), B: uint8(255 - t*(255-0x6b)), A: 255}
	}
	return out
}

// confusionChart draws the confusion matrix of the classes in order as a
// heatmap of counts (true class down, top-1 class across).
func confusionChart(order []int, confusion [][]int, classes []string) (Chart, error) {
	n := len(order)
	g := heatGrid{order: order, confusion: confusion}
	hm := plotter.NewHeatMap(g, blues(64))
	hm.Min = 0
	if hm.Max < 1 {
		hm.Max = 1
	}
	p := newPlot("Confusion (rows: true class, columns: top-1 class)", "top-1 class", "true class")
	p.Add(hm)
	across := make([]string, n)
	down := make([]string, n)
	for i, id := range order {
		across[i] = name(classes, id)
		down[n-1-i] = name(classes, id)
	}
	p.NominalX(across...)
	p.NominalY(down...)
	size := max(6, min(10, 600/vg.Length(n)))
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = size*0.8, size*0.8
	p.X.Tick.Label.Rotation = 1.5707963267948966
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	side := size*vg.Length(n) + 130
	return render("confusion", p, side, side+20)
}
