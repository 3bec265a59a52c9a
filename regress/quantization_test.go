package regress_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/regress"
)

// TestQuantization compares each model's int8 towers with its fp32 towers
// on the same samples, logs the paired statistics and holds them to the
// quantization budget.
func TestQuantization(t *testing.T) {
	for _, c := range regress.QuantizationPairs() {
		t.Run(c.Name(), func(t *testing.T) {
			fp32 := run(t, c)
			int8 := run(t, c.Quantized())
			p, err := regress.Pair(fp32, int8)
			require.NoError(t, err)
			t.Logf("%s int8 vs fp32: %s", c.Name(), p)
			require.NoError(t, regress.BudgetFor(c).Check(p), c.Name())
		})
	}
}
