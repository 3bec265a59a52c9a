package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const base = `{"index":610,"label":4,"top5":[43,42,34,50,80],"scores":[0.0696,0.0629,0.0492,0.0448,0.0433]}
{"index":612,"label":27,"top5":[67,93,27,44,73],"scores":[0.0771,0.0668,0.0630,0.0522,0.0472]}
`

func TestCompare(t *testing.T) {
	want, err := parse(strings.NewReader(base), "want")
	require.NoError(t, err)
	tests := []struct {
		name, got, err string
	}{
		{"same", base, ""},
		{"rounding", strings.Replace(base, "0.0771", "0.07710001", 1), ""},
		{"score", strings.Replace(base, "0.0771", "0.0781", 1), "sample 612: score of label 67 0.0771 vs 0.0781"},
		{"order", strings.Replace(base, "[67,93,", "[93,67,", 1), "sample 612: top-5 [67 93 27 44 73] vs [93 67 27 44 73]"},
		{"sample", strings.Replace(base, `"index":612`, `"index":613`, 1), "line 2: sample 612 (label 27) vs sample 613 (label 27)"},
		{"short", strings.SplitAfter(base, "\n")[0], "2 samples vs 1"},
		{"nan", strings.Replace(base, "0.0771", "NaN", 1), "invalid character 'N'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(strings.NewReader(tt.got), "got")
			if err == nil {
				_, err = compare(want, got, 1e-5)
			}
			if tt.err == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.err)
			}
		})
	}
	_, err = parse(strings.NewReader(""), "empty")
	require.ErrorContains(t, err, "empty: no predictions")
}
