// Package paired holds the statistics of two runs over the same samples,
// such as a model's fp32 and int8 towers, or one release and the next: the
// 2×2 table of their top-1 correctness, their top-1 agreement, the exact
// McNemar test of equal accuracy and a confidence interval of the
// difference. The regression suite (package regress) and `zsic compare`
// both use it.
package paired

import (
	"math"
)

// Table is the paired outcome of two runs on the same samples: how often
// their top-1 labels agree, and how their top-1 correctness splits.
type Table struct {
	// N is the number of paired samples.
	N int
	// Agree counts samples with the same top-1 label in both runs.
	Agree int
	// BothRight, OnlyFirst, OnlySecond and BothWrong split the samples by
	// which runs rank the true label first. OnlyFirst and OnlySecond are
	// McNemar's discordant counts b and c.
	BothRight, OnlyFirst, OnlySecond, BothWrong int
}

// Add counts one sample whose true label is label and whose top-1 labels
// in the first and second run are first and second.
func (t *Table) Add(label, first, second int) {
	t.N++
	if first == second {
		t.Agree++
	}
	ra, rb := first == label, second == label
	switch {
	case ra && rb:
		t.BothRight++
	case ra:
		t.OnlyFirst++
	case rb:
		t.OnlySecond++
	default:
		t.BothWrong++
	}
}

// Top1 returns the top-1 accuracies of the first and second run, in
// percent.
func (t Table) Top1() (first, second float64) {
	if t.N == 0 {
		return 0, 0
	}
	n := float64(t.N)
	return 100 * float64(t.BothRight+t.OnlyFirst) / n, 100 * float64(t.BothRight+t.OnlySecond) / n
}

// Delta returns the second run's top-1 accuracy minus the first's, in
// points.
func (t Table) Delta() float64 {
	a, b := t.Top1()
	return b - a
}

// Agreement returns the share of samples, in percent, whose top-1 label is
// the same in both runs.
func (t Table) Agreement() float64 {
	if t.N == 0 {
		return 0
	}
	return 100 * float64(t.Agree) / float64(t.N)
}

// PValue returns the exact two-sided McNemar p-value of the hypothesis
// that both runs are equally accurate.
func (t Table) PValue() float64 {
	return McNemar(t.OnlyFirst, t.OnlySecond)
}

// DeltaCI95 returns the 95% Wald confidence interval of Delta, in points,
// for paired proportions: (c−b)/n ± 1.96·√(b+c−(c−b)²/n)/n.
func (t Table) DeltaCI95() (lo, hi float64) {
	if t.N == 0 {
		return 0, 0
	}
	n, b, c := float64(t.N), float64(t.OnlyFirst), float64(t.OnlySecond)
	d := (c - b) / n
	se := math.Sqrt(math.Max(0, b+c-(c-b)*(c-b)/n)) / n
	return 100 * (d - 1.96*se), 100 * (d + 1.96*se)
}
