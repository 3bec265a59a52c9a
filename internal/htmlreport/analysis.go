package htmlreport

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/zsic/zsic/zsic"
)

// Sizes of the report's lists.
const (
	// TopPairs is how many confused pairs the report lists.
	TopPairs = 20
	// GallerySize is how many mistakes (or flips) a gallery shows.
	GallerySize = 24
	// MaxHeatmapClasses is the most classes the confusion heatmap shows;
	// with more, it shows those most involved in confusions.
	MaxHeatmapClasses = 120
	// HistogramBins is the number of bins of the top-1 score histogram,
	// over [0, 1].
	HistogramBins = 20
)

// ClassStat is one class's top-1 accuracy.
type ClassStat struct {
	// ID is the label id; Name its class name.
	ID   int
	Name string
	// N counts the class's samples, Right those ranked first.
	N, Right int
}

// Top1 returns the class's top-1 accuracy in percent.
func (c ClassStat) Top1() float64 { return 100 * float64(c.Right) / float64(c.N) }

// ConfusedPair is a true class and a predicted class other than it, with
// how many samples of the one were ranked first as the other.
type ConfusedPair struct {
	True, Pred int
	Count      int
}

// Analysis is what a run's report shows, computed from its predictions.
type Analysis struct {
	// Classes are the class names by label id.
	Classes []string
	// Samples is the number of predictions.
	Samples int
	// Metrics are recomputed from the predictions.
	Metrics zsic.Metrics
	// PerClass holds the classes with samples, lowest top-1 first.
	PerClass []ClassStat
	// Confusion counts samples by true (first index) and top-1 label.
	Confusion [][]int
	// Order lists the heatmap's classes, ordered so that classes confused
	// with each other sit together (see ClusterOrder).
	Order []int
	// Pairs are the most frequent confusions, most first.
	Pairs []ConfusedPair
	// Right and Wrong are the top-1 scores of the right and wrong
	// predictions.
	Right, Wrong []float64
	// Mistakes are the most confident wrong predictions, most confident
	// first.
	Mistakes []zsic.Prediction
}

// Analyze computes a run's analysis. Every label in preds must be a class
// id of classes (see report.CheckLabels).
func Analyze(preds []zsic.Prediction, classes []string) *Analysis {
	n := len(classes)
	a := &Analysis{Classes: classes, Samples: len(preds), Metrics: zsic.Measure(preds, n)}
	a.Confusion = make([][]int, n)
	for i := range a.Confusion {
		a.Confusion[i] = make([]int, n)
	}
	stats := make([]ClassStat, n)
	for _, p := range preds {
		top := p.Top5[0]
		a.Confusion[p.Label][top]++
		stats[p.Label].N++
		if top == p.Label {
			stats[p.Label].Right++
			a.Right = append(a.Right, p.Scores[0])
		} else {
			a.Wrong = append(a.Wrong, p.Scores[0])
			a.Mistakes = append(a.Mistakes, p)
		}
	}
	for id, s := range stats {
		if s.N > 0 {
			s.ID, s.Name = id, classes[id]
			a.PerClass = append(a.PerClass, s)
		}
	}
	slices.SortStableFunc(a.PerClass, func(x, y ClassStat) int {
		return cmp.Or(cmp.Compare(x.Top1(), y.Top1()), cmp.Compare(x.ID, y.ID))
	})
	for t, row := range a.Confusion {
		for p, c := range row {
			if t != p && c > 0 {
				a.Pairs = append(a.Pairs, ConfusedPair{True: t, Pred: p, Count: c})
			}
		}
	}
	slices.SortStableFunc(a.Pairs, func(x, y ConfusedPair) int { return cmp.Compare(y.Count, x.Count) })
	a.Pairs = a.Pairs[:min(len(a.Pairs), TopPairs)]
	slices.SortStableFunc(a.Mistakes, func(x, y zsic.Prediction) int {
		return cmp.Or(cmp.Compare(y.Scores[0], x.Scores[0]), cmp.Compare(x.Row, y.Row))
	})
	a.Mistakes = a.Mistakes[:min(len(a.Mistakes), GallerySize)]
	a.Order = ClusterOrder(a.heatmapClasses(), a.Confusion)
	return a
}

// heatmapClasses returns the classes the heatmap shows: all of them, or
// the MaxHeatmapClasses with the most confusions (true or predicted).
func (a *Analysis) heatmapClasses() []int {
	n := len(a.Classes)
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i
	}
	if n <= MaxHeatmapClasses {
		return ids
	}
	mass := make([]int, n)
	for t, row := range a.Confusion {
		for p, c := range row {
			if t != p {
				mass[t] += c
				mass[p] += c
			}
		}
	}
	slices.SortStableFunc(ids, func(x, y int) int { return cmp.Compare(mass[y], mass[x]) })
	ids = ids[:MaxHeatmapClasses]
	slices.Sort(ids)
	return ids
}

// ClusterOrder orders ids so that classes often confused with each other
// are adjacent: average-linkage agglomerative clustering on the symmetric
// confusion counts (confusion[i][j] + confusion[j][i], diagonal ignored),
// keeping each merged cluster contiguous and joining two clusters at the
// ends that are confused most. Unconfused classes keep their given order.
func ClusterOrder(ids []int, confusion [][]int) []int {
	sim := func(i, j int) float64 { return float64(confusion[i][j] + confusion[j][i]) }
	clusters := make([][]int, len(ids))
	for i, id := range ids {
		clusters[i] = []int{id}
	}
	// link[a][b] is the summed similarity of clusters a and b.
	link := make([][]float64, len(ids))
	for a := range link {
		link[a] = make([]float64, len(ids))
		for b := range link[a] {
			if a != b {
				link[a][b] = sim(ids[a], ids[b])
			}
		}
	}
	alive := make([]bool, len(ids))
	for i := range alive {
		alive[i] = true
	}
	for range len(ids) - 1 {
		ba, bb, best := -1, -1, -1.0
		for a := range clusters {
			if !alive[a] {
				continue
			}
			for b := a + 1; b < len(clusters); b++ {
				if !alive[b] {
					continue
				}
				avg := link[a][b] / float64(len(clusters[a])*len(clusters[b]))
				if avg > best {
					ba, bb, best = a, b, avg
				}
			}
		}
		clusters[ba] = join(clusters[ba], clusters[bb], sim)
		alive[bb] = false
		for c := range clusters {
			link[ba][c] += link[bb][c]
			link[c][ba] = link[ba][c]
		}
		link[ba][ba] = 0
	}
	for a, ok := range alive {
		if ok {
			return clusters[a]
		}
	}
	return nil
}

// join concatenates two clusters in the orientation whose facing ends are
// most similar (a then b when tied).
func join(a, b []int, sim func(i, j int) float64) []int {
	ra, rb := slices.Clone(a), slices.Clone(b)
	slices.Reverse(ra)
	slices.Reverse(rb)
	best, out := -1.0, []int(nil)
	for _, c := range [][2][]int{{a, b}, {a, rb}, {ra, b}, {ra, rb}} {
		if s := sim(c[0][len(c[0])-1], c[1][0]); s > best {
			best, out = s, append(slices.Clone(c[0]), c[1]...)
		}
	}
	return out
}

// name returns a class's name, or its id when it has none.
func name(classes []string, id int) string {
	if id >= 0 && id < len(classes) && classes[id] != "" {
		return classes[id]
	}
	return fmt.Sprintf("class %d", id)
}
