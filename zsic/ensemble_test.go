package zsic

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
)

func TestEnsembleHandCase(t *testing.T) {
	// (3,4) and (0,2) normalize to (0.6,0.8) and (0,1); their mean (0.3,0.9)
	// normalizes to (1,3)/√10. A lone prompt is its normalized embedding.
	got, err := Ensemble([][]float32{{3, 4}, {0, 2}, {0, -5}}, []int{2, 1})
	require.NoError(t, err)
	require.InDeltaSlice(t, []float32{float32(1 / math.Sqrt(10)), float32(3 / math.Sqrt(10))}, got[0], 1e-7)
	require.Equal(t, []float32{0, -1}, got[1])
}

func TestEnsembleNumpy(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testenv.Root(t), "fixtures", "ensemble", "ensemble.json"))
	require.NoError(t, err)
	var ref struct {
		Counts []int       `json:"counts"`
		Rows   [][]float32 `json:"rows"`
		Want   [][]float32 `json:"want"`
	}
	require.NoError(t, json.Unmarshal(data, &ref))
	got, err := Ensemble(ref.Rows, ref.Counts)
	require.NoError(t, err)
	require.Len(t, got, len(ref.Want))
	for i := range ref.Want {
		require.InDeltaSlice(t, ref.Want[i], got[i], 1e-6, "class %d", i)
	}
}

func TestEnsembleErrors(t *testing.T) {
	_, err := Ensemble([][]float32{{1}}, []int{2})
	require.EqualError(t, err, "ensemble: 1 embeddings for 2 prompts")
	_, err = Ensemble([][]float32{{1}}, []int{1, 0})
	require.EqualError(t, err, "ensemble: class 1 has 0 prompts")
	_, err = Ensemble([][]float32{{1, 2}, {1}}, []int{2})
	require.EqualError(t, err, "ensemble: class 0: prompt 1 has 1 values, prompt 0 has 2")
}

// Two prompts of one class, and one of another, become two unit class
// embeddings, as open_clip builds a zero-shot head.
func ExampleEnsemble() {
	rows := [][]float32{{3, 4}, {0, 2}, {0, -5}} // raw text-tower rows
	classes, err := Ensemble(rows, []int{2, 1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f\n%.4f\n", classes[0], classes[1])
	// Output:
	// [0.3162 0.9487]
	// [0.0000 -1.0000]
}
