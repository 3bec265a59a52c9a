package regress

import (
	"fmt"
	"math"
)

// Paired holds paired statistics of two runs on the same samples, e.g. a
// model's fp32 and int8 towers: how often their top-1 labels agree, and
// the 2×2 table of their top-1 correctness.
type Paired struct {
	// N is the number of paired samples.
	N int
	// Agree counts samples with the same top-1 label in both runs.
	Agree int
	// BothRight, OnlyFirst, OnlySecond and BothWrong split the samples by
	// which runs rank the true label first. OnlyFirst and OnlySecond are
	// McNemar's discordant counts b and c.
	BothRight, OnlyFirst, OnlySecond, BothWrong int
}

// Pair pairs two runs by sample (see Record.Pixels) and tabulates them. It
// fails when the runs do not cover the same samples.
func Pair(first, second *Golden) (Paired, error) {
	p := match(first.Predictions, second.Predictions)
	if len(p.onlyFirst)+len(p.onlySecond) > 0 {
		return Paired{}, fmt.Errorf("pair %s with %s: the runs cover different samples (%d only in the first, %d only in the second)",
			first.Case, second.Case, len(p.onlyFirst), len(p.onlySecond))
	}
	var s Paired
	for _, pr := range p.pairs {
		a, b := pr[0], pr[1]
		s.N++
		if a.Top1() == b.Top1() {
			s.Agree++
		}
		ra, rb := a.Top1() == a.Label, b.Top1() == b.Label
		switch {
		case ra && rb:
			s.BothRight++
		case ra:
			s.OnlyFirst++
		case rb:
			s.OnlySecond++
		default:
			s.BothWrong++
		}
	}
	return s, nil
}

// Top1 returns the top-1 accuracies of the first and second run, in
// percent.
func (s Paired) Top1() (first, second float64) {
	if s.N == 0 {
		return 0, 0
	}
	n := float64(s.N)
	return 100 * float64(s.BothRight+s.OnlyFirst) / n, 100 * float64(s.BothRight+s.OnlySecond) / n
}

// Delta returns the second run's top-1 accuracy minus the first's, in
// points.
func (s Paired) Delta() float64 {
	a, b := s.Top1()
	return b - a
}

// Agreement returns the share of samples, in percent, whose top-1 label is
// the same in both runs.
func (s Paired) Agreement() float64 {
	if s.N == 0 {
		return 0
	}
	return 100 * float64(s.Agree) / float64(s.N)
}

// PValue returns the exact two-sided McNemar p-value of the hypothesis
// that both runs are equally accurate.
func (s Paired) PValue() float64 {
	return McNemar(s.OnlyFirst, s.OnlySecond)
}

// DeltaCI95 returns the 95% Wald confidence interval of Delta, in points,
// for paired proportions: (c−b)/n ± 1.96·√(b+c−(c−b)²/n)/n.
func (s Paired) DeltaCI95() (lo, hi float64) {
	if s.N == 0 {
		return 0, 0
	}
	n, b, c := float64(s.N), float64(s.OnlyFirst), float64(s.OnlySecond)
	d := (c - b) / n
	se := math.Sqrt(math.Max(0, b+c-(c-b)*(c-b)/n)) / n
	return 100 * (d - 1.96*se), 100 * (d + 1.96*se)
}
