package regress

import (
	"fmt"

	"github.com/zsic/zsic/zsic"
)

// Band is how far a run may drift from its golden before it counts as a
// regression.
type Band struct {
	// Top1 is the largest |Δ top-1 accuracy| allowed, in percentage points.
	Top1 float64 `json:"top1_points"`
	// Top5 is the largest |Δ top-5 accuracy| allowed, in percentage points.
	Top5 float64 `json:"top5_points"`
	// MinAgreement is the smallest share, in percent, of samples whose
	// top-1 label must equal the golden's.
	MinAgreement float64 `json:"min_top1_agreement"`
	// Reason explains the widths.
	Reason string `json:"reason"`
}

// Policy derives a case's band from its golden: the accuracy bands are a
// number of binomial standard errors at the golden's accuracy and sample
// size, the agreement floor is fixed.
type Policy struct {
	// Sigmas is the half-width of the accuracy bands in standard errors.
	Sigmas float64
	// MinAgreement is the top-1 agreement floor, in percent.
	MinAgreement float64
	// Why says why the floor (and so the case's tolerance) suits the case.
	Why string
}

// Band returns the band for a golden of n samples with metrics m. Each
// accuracy band is p.Sigmas standard errors, rounded up to whole samples
// and at least one sample: a shift smaller than that is within what a
// sample of n can resolve, so it is not called a regression.
func (p Policy) Band(n int, m zsic.Metrics) Band {
	se1, se5 := StdErr(n, m.Top1), StdErr(n, m.Top5)
	b := Band{
		Top1:         ceilToSamples(p.Sigmas*se1, n),
		Top5:         ceilToSamples(p.Sigmas*se5, n),
		MinAgreement: p.MinAgreement,
	}
	b.Reason = fmt.Sprintf("top-1 ±%.4g and top-5 ±%.4g pts: %.4g standard errors of a %d-sample binomial at the golden's accuracy (top-1 %.4g%%, σ %.2f pts; top-5 %.4g%%, σ %.2f pts), rounded up to whole samples; top-1 agreement ≥ %.4g%%: %s",
		b.Top1, b.Top5, p.Sigmas, n, m.Top1, se1, m.Top5, se5, p.MinAgreement, p.Why)
	return b
}
