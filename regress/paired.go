package regress

import (
	"fmt"

	"github.com/zsic/zsic/zsic/paired"
)

// Paired holds paired statistics of two runs on the same samples, e.g. a
// model's fp32 and int8 towers: how often their top-1 labels agree, and
// the 2×2 table of their top-1 correctness. It is a paired.Table, whose
// methods compute the statistics.
type Paired paired.Table

// Pair pairs two runs by sample (see Record.Pixels) and tabulates them. It
// fails when the runs do not cover the same samples.
func Pair(first, second *Golden) (Paired, error) {
	p := match(first.Predictions, second.Predictions)
	if len(p.onlyFirst)+len(p.onlySecond) > 0 {
		return Paired{}, fmt.Errorf("pair %s with %s: the runs cover different samples (%d only in the first, %d only in the second)",
			first.Case, second.Case, len(p.onlyFirst), len(p.onlySecond))
	}
	var t paired.Table
	for _, pr := range p.pairs {
		t.Add(pr[0].Label, pr[0].Top1(), pr[1].Top1())
	}
	return Paired(t), nil
}

// Top1 returns the top-1 accuracies of the first and second run, in
// percent.
func (s Paired) Top1() (first, second float64) { return paired.Table(s).Top1() }

// Delta returns the second run's top-1 accuracy minus the first's, in
// points.
func (s Paired) Delta() float64 { return paired.Table(s).Delta() }

// Agreement returns the share of samples, in percent, whose top-1 label is
// the same in both runs.
func (s Paired) Agreement() float64 { return paired.Table(s).Agreement() }

// PValue returns the exact two-sided McNemar p-value of the hypothesis
// that both runs are equally accurate.
func (s Paired) PValue() float64 { return paired.Table(s).PValue() }

// DeltaCI95 returns the 95% Wald confidence interval of Delta, in points,
// for paired proportions: (c−b)/n ± 1.96·√(b+c−(c−b)²/n)/n.
func (s Paired) DeltaCI95() (lo, hi float64) { return paired.Table(s).DeltaCI95() }
