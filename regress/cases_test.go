package regress

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCaseNames checks that names and golden files are unique, and that
// `go test -run CLIP` and `-run SigLIP` select exactly their family's
// top-level test (-run matches each level of a name as an unanchored
// regexp).
func TestCaseNames(t *testing.T) {
	names, goldens := map[string]bool{}, map[string]bool{}
	for _, c := range Cases() {
		require.False(t, names[c.Name()], "duplicate case %s", c.Name())
		require.False(t, goldens[c.GoldenName()], "duplicate golden %s", c.GoldenName())
		names[c.Name()], goldens[c.GoldenName()] = true, true
		require.Equal(t, strings.ToLower(c.GoldenName()), c.GoldenName())
		require.NotContains(t, c.GoldenName(), "/")
	}
	require.Len(t, Cases(), 4+9+9)
	require.Equal(t, "clip-tiny-clip-fp32", Cases()[0].GoldenName())

	tops := []string{"TestCLIP", "TestSigLIP", "TestQuantization", "TestMutations"}
	for _, tt := range []struct {
		pattern string
		want    []string
	}{
		{"CLIP", []string{"TestCLIP"}},
		{"SigLIP", []string{"TestSigLIP"}},
	} {
		re := regexp.MustCompile(tt.pattern)
		var got []string
		for _, n := range tops {
			if re.MatchString(n) {
				got = append(got, n)
			}
		}
		require.Equal(t, tt.want, got, "-run %s", tt.pattern)
	}
}

func TestQuantized(t *testing.T) {
	byName := map[string]Case{}
	for _, c := range Cases() {
		byName[c.Name()] = c
	}
	q := byName["CLIP/tiny-clip/fp32"].Quantized()
	require.Equal(t, byName["CLIP/tiny-clip/int8"], q)
	r := byName["SigLIP/google/siglip-base-patch16-224"].Quantized()
	require.Equal(t, "SigLIP/google/siglip-base-patch16-224/int8", r.Name())
	require.Equal(t, "quantized", r.Variant)
	require.Equal(t, Real, r.Kind)
	for _, c := range QuantizationPairs() {
		require.NotEqual(t, Twin, c.Kind)
		require.Empty(t, c.Variant)
	}
	require.Len(t, QuantizationPairs(), 2+9)
	require.Equal(t, QuantBudget{MaxDrop: 1, MinAgreement: 95}, BudgetFor(byName["CLIP/tiny-clip/fp32"]))
	require.Equal(t, QuantBudget{MaxDrop: 3, MinAgreement: 85}, BudgetFor(r))
}
