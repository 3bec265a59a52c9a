package regress

import (
	"fmt"
	"strings"
)

// QuantBudget bounds what quantization may cost a model on the pinned
// sample, measured paired against its fp32 towers.
type QuantBudget struct {
	// MaxDrop is the largest top-1 drop allowed, in points.
	MaxDrop float64
	// MinAgreement is the smallest share, in percent, of samples whose
	// top-1 label the int8 towers must keep.
	MinAgreement float64
}

// BudgetFor returns the quantization budget of an fp32 case. The fixtures'
// int8 towers are dynamic int8 graphs in the format of onnxruntime's
// quantize_dynamic, as Transformers.js --quantize writes them (uint8
// weights per tensor, activations quantized per batch by
// DynamicQuantizeLinear, MatMulInteger; fixtures/scripts/quantize_dynamic.py).
// On the small trained fixtures that costs almost nothing (measured: 0.1 to
// 0.2 points, 98.6% agreement or more), so they are held to at most 1 point
// of top-1 and at least 95% agreement. Real models' int8 towers come from
// the user's exporter, so they get a looser budget: 3 points, 85% agreement.
func BudgetFor(c Case) QuantBudget {
	if c.Kind == Real {
		return QuantBudget{MaxDrop: 3, MinAgreement: 85}
	}
	return QuantBudget{MaxDrop: 1, MinAgreement: 95}
}

// Check returns an error describing how p exceeds the budget, or nil.
func (b QuantBudget) Check(p Paired) error {
	var errs []string
	if drop := -p.Delta(); drop > b.MaxDrop+1e-9 {
		errs = append(errs, fmt.Sprintf("int8 top-1 is %.2f pts below fp32 (budget %.2f)", drop, b.MaxDrop))
	}
	if p.Agreement() < b.MinAgreement-1e-9 {
		errs = append(errs, fmt.Sprintf("int8 keeps the top-1 label of %.2f%% of samples (floor %.4g%%)", p.Agreement(), b.MinAgreement))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("quantization over budget: %s; %s", strings.Join(errs, "; "), p)
}

// String summarizes p in one line.
func (p Paired) String() string {
	a, b := p.Top1()
	lo, hi := p.DeltaCI95()
	return fmt.Sprintf("%d samples: fp32 top-1 %.2f%%, int8 %.2f%% (Δ %+.2f pts, 95%% CI %+.2f to %+.2f), top-1 agreement %.2f%%, discordant b=%d (only fp32 right) c=%d (only int8 right), exact McNemar p=%.4g",
		p.N, a, b, p.Delta(), lo, hi, p.Agreement(), p.OnlyFirst, p.OnlySecond, p.PValue())
}

// QuantRow is one line of the quantization table.
type QuantRow struct {
	// Model names the model.
	Model string
	// Paired compares its fp32 (first) and int8 (second) runs.
	Paired Paired
}

// QuantTable renders rows as a Markdown table: model, samples, fp32 and
// int8 top-1, their difference with its 95% confidence interval, top-1
// agreement, the discordant counts b and c, and McNemar's exact p-value.
func QuantTable(rows []QuantRow) string {
	var s strings.Builder
	s.WriteString("| Model | Samples | fp32 top-1 | int8 top-1 | Δ top-1 (95% CI) | Top-1 agreement | b: only fp32 right | c: only int8 right | McNemar p |\n")
	s.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		p := r.Paired
		a, b := p.Top1()
		lo, hi := p.DeltaCI95()
		fmt.Fprintf(&s, "| %s | %d | %.1f%% | %.1f%% | %+.1f pts (%+.1f to %+.1f) | %.1f%% | %d | %d | %s |\n",
			r.Model, p.N, a, b, p.Delta(), lo, hi, p.Agreement(), p.OnlyFirst, p.OnlySecond, FormatP(p.PValue()))
	}
	return s.String()
}

// FormatP prints a p-value with three significant digits, or "< 0.0001".
func FormatP(p float64) string {
	if p < 1e-4 {
		return "< 0.0001"
	}
	return fmt.Sprintf("%.3g", p)
}
