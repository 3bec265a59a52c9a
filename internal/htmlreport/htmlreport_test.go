package htmlreport

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic"
)

// synthRun makes n predictions over k classes: sample i has label i%k, and
// is right with a probability growing with its class id; a wrong sample of
// an even class is mistaken for the next class, of an odd class for a
// random one.
func synthRun(n, k int, seed uint64) ([]zsic.Prediction, []string) {
	r := rand.New(rand.NewPCG(seed, 1))
	classes := make([]string, k)
	for i := range classes {
		classes[i] = fmt.Sprintf("class_%02d", i)
	}
	preds := make([]zsic.Prediction, n)
	for i := range preds {
		l := i % k
		top := l
		if r.Float64() > float64(l+1)/float64(k+1) {
			if l%2 == 0 {
				top = (l + 1) % k
			} else {
				top = r.IntN(k)
			}
		}
		p := zsic.Prediction{Row: 3 * i, Label: l, Top5: []int{top}, Scores: []float64{0.2 + 0.8*r.Float64()}}
		for j := 1; len(p.Top5) < 5; j++ {
			if c := (top + j) % k; c != top {
				p.Top5 = append(p.Top5, c)
				p.Scores = append(p.Scores, p.Scores[len(p.Scores)-1]/2)
			}
		}
		preds[i] = p
	}
	return preds, classes
}

// fills counts the filled paths of an SVG by fill colour.
func fills(svg []byte) map[string]int {
	out := map[string]int{}
	for _, m := range regexp.MustCompile(`<path[^>]*style="[^"]*fill:(#[0-9a-fA-F]{6})`).FindAllSubmatch(svg, -1) {
		out[string(m[1])]++
	}
	return out
}

func TestChartsHaveOneShapePerValue(t *testing.T) {
	preds, classes := synthRun(1000, 100, 1)
	a := Analyze(preds, classes)
	require.Len(t, a.PerClass, 100)
	c, err := perClassChart(a.PerClass)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"#3B6EA8": 100}, fills(c.SVG))
	c, err = confusionChart(a.Order, a.Confusion, classes)
	require.NoError(t, err)
	total := 0
	for _, n := range fills(c.SVG) {
		total += n
	}
	require.Equal(t, 100*100, total)
	c, err = scoreChart(a.Right, a.Wrong)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"#2E8B57": HistogramBins, "#C0392B": HistogramBins}, fills(c.SVG))
	if dir := os.Getenv("ZSIC_REPORT_DUMP"); dir != "" {
		doc, err := RenderRun(Run{Title: "test", Analysis: a}, HTML, "")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "run.html"), doc.Body, 0o644))
	}
}

func TestClusterOrder(t *testing.T) {
	// Classes 0, 2, 4 confuse each other, as do 1, 3, 5; 6 and 7 are
	// never confused.
	conf := make([][]int, 8)
	for i := range conf {
		conf[i] = make([]int, 8)
	}
	for _, g := range [][]int{{0, 2, 4}, {1, 3, 5}} {
		for _, a := range g {
			for _, b := range g {
				if a != b {
					conf[a][b] = 3
				}
			}
		}
	}
	conf[2][4] = 9 // the closest pair
	order := ClusterOrder([]int{0, 1, 2, 3, 4, 5, 6, 7}, conf)
	require.ElementsMatch(t, []int{0, 1, 2, 3, 4, 5, 6, 7}, order)
	pos := map[int]int{}
	for i, c := range order {
		pos[c] = i
	}
	for _, g := range [][]int{{0, 2, 4}, {1, 3, 5}} {
		ps := []int{pos[g[0]], pos[g[1]], pos[g[2]]}
		slices.Sort(ps)
		require.Equal(t, ps[0]+2, ps[2], "group %v is not contiguous in %v", g, order)
	}
	require.Equal(t, 1, abs(pos[2]-pos[4]), "2 and 4 are not adjacent in %v", order)
	// Nothing confused: the given order.
	none := make([][]int, 5)
	for i := range none {
		none[i] = make([]int, 5)
	}
	require.Equal(t, []int{0, 1, 2, 3, 4}, ClusterOrder([]int{0, 1, 2, 3, 4}, none))
}

func abs(x int) int { return max(x, -x) }
