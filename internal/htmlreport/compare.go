package htmlreport

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/paired"
)

// maxMismatches is how many mismatched rows an error lists.
const maxMismatches = 10

// Flip is a sample whose top-1 label differs between the runs.
type Flip struct {
	// A and B are the sample's predictions in the two runs.
	A, B zsic.Prediction
}

// Kind says how the flip changed correctness: "right→wrong",
// "wrong→right" or "wrong→wrong".
func (f Flip) Kind() string {
	switch f.A.Label {
	case f.A.Top5[0]:
		return "right→wrong"
	case f.B.Top5[0]:
		return "wrong→right"
	}
	return "wrong→wrong"
}

// ClassDelta compares one class's accuracy in the two runs.
type ClassDelta struct {
	// ID is the label id; Name its class name.
	ID   int
	Name string
	// N counts the class's samples.
	N int
	// Top1A, Top1B, Top5A and Top5B count its samples ranked first (or in
	// the first five) by each run.
	Top1A, Top1B, Top5A, Top5B int
}

// Delta returns B's top-1 accuracy minus A's for the class, in points.
func (c ClassDelta) Delta() float64 { return 100 * float64(c.Top1B-c.Top1A) / float64(c.N) }

// Delta5 returns B's top-5 accuracy minus A's for the class, in points.
func (c ClassDelta) Delta5() float64 { return 100 * float64(c.Top5B-c.Top5A) / float64(c.N) }

// Comparison is the paired analysis of two runs over the same samples.
type Comparison struct {
	// Classes are the class names by label id.
	Classes []string
	// Table is the paired 2×2 table of top-1 correctness (A first).
	Table paired.Table
	// A and B are each run's metrics.
	A, B zsic.Metrics
	// PerClass compares each class with samples, most worsened first (by
	// top-1, then top-5).
	PerClass []ClassDelta
	// Flips are the samples whose top-1 label changed: right→wrong first,
	// then wrong→right, then wrong→wrong, each by row.
	Flips []Flip
}

// FlipCounts counts the flips by kind.
func (c *Comparison) FlipCounts() (rightToWrong, wrongToRight, wrongToWrong int) {
	for _, f := range c.Flips {
		switch f.Kind() {
		case "right→wrong":
			rightToWrong++
		case "wrong→right":
			wrongToRight++
		default:
			wrongToWrong++
		}
	}
	return
}

// Changed returns the classes whose top-1 or top-5 count changed, most
// worsened first.
func (c *Comparison) Changed() []ClassDelta {
	var out []ClassDelta
	for _, d := range c.PerClass {
		if d.Top1A != d.Top1B || d.Top5A != d.Top5B {
			out = append(out, d)
		}
	}
	return out
}

// Worsened returns up to n classes that B does worse on, most worsened
// first; Improved those it does better on, most improved first.
func (c *Comparison) Worsened(n int) []ClassDelta {
	var out []ClassDelta
	for _, d := range c.Changed() {
		if len(out) < n && (d.Delta() < 0 || (d.Delta() == 0 && d.Delta5() < 0)) {
			out = append(out, d)
		}
	}
	return out
}

// Improved returns up to n classes that B does better on, most improved
// first.
func (c *Comparison) Improved(n int) []ClassDelta {
	var out []ClassDelta
	ch := c.Changed()
	for i := len(ch) - 1; i >= 0 && len(out) < n; i-- {
		if d := ch[i]; d.Delta() > 0 || (d.Delta() == 0 && d.Delta5() > 0) {
			out = append(out, d)
		}
	}
	return out
}

// Significant reports whether B's top-1 accuracy differs from A's at level
// alpha by the exact McNemar test.
func (c *Comparison) Significant(alpha float64) bool { return c.Table.PValue() < alpha }

// ComparePredictions pairs two runs' predictions by row and compares them.
// It refuses runs over different samples: rows found in only one run, or
// rows whose true labels differ, are listed in the error.
func ComparePredictions(a, b []zsic.Prediction, classes []string) (*Comparison, error) {
	byRow := make(map[int]zsic.Prediction, len(b))
	for _, p := range b {
		byRow[p.Row] = p
	}
	var onlyA, onlyB, relabelled []string
	c := &Comparison{Classes: classes, A: zsic.Measure(a, len(classes)), B: zsic.Measure(b, len(classes))}
	stats := make([]ClassDelta, len(classes))
	inA := make(map[int]bool, len(a))
	for _, pa := range a {
		inA[pa.Row] = true
		pb, ok := byRow[pa.Row]
		switch {
		case !ok:
			onlyA = append(onlyA, fmt.Sprint(pa.Row))
			continue
		case pb.Label != pa.Label:
			relabelled = append(relabelled, fmt.Sprintf("%d (label %d in A, %d in B)", pa.Row, pa.Label, pb.Label))
			continue
		}
		c.Table.Add(pa.Label, pa.Top5[0], pb.Top5[0])
		s := &stats[pa.Label]
		s.N++
		s.Top1A += b2i(pa.Top5[0] == pa.Label)
		s.Top1B += b2i(pb.Top5[0] == pb.Label)
		s.Top5A += b2i(slices.Contains(pa.Top5, pa.Label))
		s.Top5B += b2i(slices.Contains(pb.Top5, pb.Label))
		if pa.Top5[0] != pb.Top5[0] {
			c.Flips = append(c.Flips, Flip{A: pa, B: pb})
		}
	}
	for _, pb := range b {
		if !inA[pb.Row] {
			onlyB = append(onlyB, fmt.Sprint(pb.Row))
		}
	}
	if len(onlyA)+len(onlyB)+len(relabelled) > 0 {
		var parts []string
		for _, m := range []struct {
			what string
			rows []string
		}{{"rows only in A", onlyA}, {"rows only in B", onlyB}, {"rows whose true label differs", relabelled}} {
			if len(m.rows) > 0 {
				parts = append(parts, fmt.Sprintf("%d %s: %s", len(m.rows), m.what, listSome(m.rows)))
			}
		}
		return nil, fmt.Errorf("the runs are over different samples (%d and %d predictions): %s", len(a), len(b), strings.Join(parts, "; "))
	}
	for id, s := range stats {
		if s.N > 0 {
			s.ID, s.Name = id, name(classes, id)
			c.PerClass = append(c.PerClass, s)
		}
	}
	slices.SortStableFunc(c.PerClass, func(x, y ClassDelta) int {
		return cmp.Or(cmp.Compare(x.Delta(), y.Delta()), cmp.Compare(x.Delta5(), y.Delta5()), cmp.Compare(x.ID, y.ID))
	})
	rank := map[string]int{"right→wrong": 0, "wrong→right": 1, "wrong→wrong": 2}
	slices.SortStableFunc(c.Flips, func(x, y Flip) int {
		return cmp.Or(cmp.Compare(rank[x.Kind()], rank[y.Kind()]), cmp.Compare(x.A.Row, y.A.Row))
	})
	return c, nil
}

// listSome joins the first maxMismatches of rows, noting how many more.
func listSome(rows []string) string {
	s := strings.Join(rows[:min(len(rows), maxMismatches)], ", ")
	if n := len(rows) - maxMismatches; n > 0 {
		s += fmt.Sprintf(" and %d more", n)
	}
	return s
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
