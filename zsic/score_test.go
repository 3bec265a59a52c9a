package zsic

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalize(t *testing.T) {
	require.Equal(t, []float32{0.6, 0.8}, Normalize([]float32{3, 4}))
	require.Equal(t, []float32{0, 0}, Normalize([]float32{0, 0}))
}

func TestScores(t *testing.T) {
	img := Normalize([]float32{1, 0})
	labels := NormalizeAll([][]float32{{1, 0}, {0, 1}, {1, 1}})
	cos := []float64{1, 0, 1 / math.Sqrt2}
	tests := []struct {
		name string
		s    Scoring
		want []float64
	}{
		{"cosine", Scoring{Kind: Cosine, Scale: 100}, cos},
		{"softmax", Scoring{Kind: Softmax, Scale: 10}, softmaxOf(10*cos[0], 10*cos[1], 10*cos[2])},
		{"sigmoid", Scoring{Kind: Sigmoid, Scale: 10, Bias: -5}, []float64{sig(5), sig(-5), sig(10*cos[2] - 5)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.Scores(img, labels)
			require.InDeltaSlice(t, tt.want, got, 1e-6)
		})
	}
	// Softmax scores sum to one; sigmoid scores need not.
	var sum float64
	for _, v := range (Scoring{Kind: Softmax, Scale: 100}).Scores(img, labels) {
		sum += v
	}
	require.InDelta(t, 1, sum, 1e-12)
}

func softmaxOf(z ...float64) []float64 {
	softmax(z)
	return z
}

func sig(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func TestTopKStableTies(t *testing.T) {
	got := TopK([]float64{0.1, 0.5, 0.5, 0.2, 0.5}, 4)
	require.Equal(t, []Ranked{{1, 0.5}, {2, 0.5}, {4, 0.5}, {3, 0.2}}, got)
	require.Len(t, TopK([]float64{1, 2}, 0), 2)
	require.Len(t, TopK([]float64{1, 2}, 5), 2)
}

// A positive scale and any bias are monotone maps of the cosine, so SigLIP's
// sigmoid ranks labels exactly as the bare cosine does.
func TestSigmoidKeepsCosineOrder(t *testing.T) {
	img := Normalize([]float32{0.3, -1.2, 0.7, 0.1})
	labels := NormalizeAll([][]float32{{1, 0, 0, 0}, {0, 1, 0, 0}, {0.2, -0.9, 0.8, 0}, {0, 0, 1, 1}, {-1, 1, 0, 2}})
	byCos := TopK(Scoring{Kind: Cosine}.Scores(img, labels), 0)
	bySig := TopK(Scoring{Kind: Sigmoid, Scale: 117.3, Bias: -12.9}.Scores(img, labels), 0)
	for i := range byCos {
		require.Equal(t, byCos[i].Label, bySig[i].Label, "rank %d", i)
	}
}

func TestScore(t *testing.T) {
	preds := []Prediction{
		{Label: 0, Top5: []int{0, 1, 2, 3, 4}},
		{Label: 0, Top5: []int{1, 0, 2, 3, 4}},
		{Label: 1, Top5: []int{1, 0, 2, 3, 4}},
		{Label: 2, Top5: []int{0, 1, 3, 4, 5}},
	}
	m := Measure(preds, 6)
	require.InDelta(t, 50, m.Top1, 1e-9)
	require.InDelta(t, 75, m.Top5, 1e-9)
	// class 0: 1/2, class 1: 1/1, class 2: 0/1 → mean 50%
	require.InDelta(t, 50, m.MeanPerClassRecall, 1e-9)
}

// TestTopKMatchesSort checks TopK's selection of a few labels against a
// stable sort of them all, on scores with ties, infinities and NaN.
func TestTopKMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	values := []float64{math.Inf(-1), -1, 0, 0.5, 1, math.Inf(1), math.NaN()}
	for trial := range 500 {
		n := 1 + rng.IntN(40)
		scores := make([]float64, n)
		for i := range scores {
			if rng.IntN(3) == 0 {
				scores[i] = values[rng.IntN(len(values))]
			} else {
				scores[i] = rng.Float64()
			}
		}
		all := TopK(scores, 0)
		require.Len(t, all, n)
		for k := 1; k <= n+1; k++ {
			got := TopK(scores, k)
			want := all[:min(k, n)]
			require.Equal(t, len(want), len(got), "trial %d, k %d", trial, k)
			for i := range want {
				require.Equal(t, want[i].Label, got[i].Label, "trial %d, k %d, rank %d: %v", trial, k, i, scores)
			}
		}
	}
}
