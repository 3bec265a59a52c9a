package shard

import (
	"strings"
	"testing"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/report"
)

// testFingerprint returns a fingerprint for a run of rows rows over 10
// classes.
func testFingerprint(t *testing.T, rows int) *Fingerprint {
	t.Helper()
	return &Fingerprint{
		Model: ModelID{Type: "clip", Towers: map[string]FileID{
			"image-encoder": {Size: 10, SHA256: "aa"},
			"text-encoder":  {Size: 20, SHA256: "bb"},
		}},
		Dataset:   DatasetID{Files: 1, Bytes: 100, ListSHA256: "cc", Rows: 1000, Split: "test", Columns: map[string]string{"input_column": "img"}},
		Selection: Selection{Samples: rows, Rows: rows, RowsSHA256: "dd"},
		Prompts:   Prompts{Prompts: report.NewStrings([]string{zsic.DefaultTemplate}), Classes: report.NewStrings(strings.Split("abcdefghij", ""))},
		Device:    "cpu",
		Versions:  VersionInfo{Zsic: report.Build{Version: "test"}, ORT: "1.24.3"},
	}
}

// pred returns a prediction for row whose first guess is right when the
// row is even.
func pred(row int) zsic.Prediction {
	label := row % 10
	first := label
	if row%2 == 1 {
		first = (label + 1) % 10
	}
	top := []int{first}
	for l := 0; len(top) < 5; l++ {
		if l != first {
			top = append(top, l)
		}
	}
	return zsic.Prediction{Row: row, Label: label, Top5: top, Scores: []float64{0.5, 0.2, 0.1, 0.1, 0.05}}
}
