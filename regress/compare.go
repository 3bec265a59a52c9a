package regress

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/zsic/zsic/zsic"
)

// maxFlipsShown is how many flipped samples a report lists.
const maxFlipsShown = 8

// Report is the outcome of comparing a run with its golden. Its String
// reads as a failure message.
type Report struct {
	// Case is the case compared.
	Case string
	// Samples is the number of samples in the golden.
	Samples int
	// Band is the band the run was held to.
	Band Band
	// Deltas compare each metric with the golden's.
	Deltas []Delta
	// Matched counts the golden's samples found in the run; Agree those of
	// them whose top-1 label is unchanged.
	Matched, Agree int
	// Flips are the matched samples whose top-1 label changed, in the
	// golden's order.
	Flips []Flip
	// Problems make the comparison fail whatever the metrics: another
	// case, sample or tower, or samples missing on either side.
	Problems []string
	// Notes are differences that explain rather than fail, such as another
	// ONNX Runtime version.
	Notes []string
}

// Delta compares one metric of a run with its golden.
type Delta struct {
	// Metric names the metric.
	Metric string
	// Golden and Got are the metric in the golden and the run, in percent.
	Golden, Got float64
	// Band is the largest |Got − Golden| allowed, in points; gated is false
	// for a metric that is reported only.
	Band  float64
	Gated bool
}

// OK reports whether the delta is within its band (or not gated).
func (d Delta) OK() bool {
	return !d.Gated || math.Abs(d.Got-d.Golden) <= d.Band+1e-9
}

// Flip is a sample whose top-1 label changed.
type Flip struct {
	// Row is the sample's dataset row in the run.
	Row int
	// Label is the true label.
	Label int
	// Golden and Got are the top-1 labels in the golden and the run.
	Golden, Got int
}

// Compare compares a run got with its golden under band: top-1 and top-5
// accuracy must be within the band, the share of samples whose top-1 label
// is unchanged at or above its floor, and both must cover the same case
// and sample. It never fails a test itself; see Report.OK.
func Compare(golden, got *Golden, band Band) Report {
	r := Report{Case: golden.Case, Samples: len(golden.Predictions), Band: band}
	if got.Case != golden.Case {
		r.Problems = append(r.Problems, fmt.Sprintf("the run is of case %q, the golden of %q", got.Case, golden.Case))
	}
	if got.Dataset != golden.Dataset {
		r.Problems = append(r.Problems, fmt.Sprintf("the sample differs: golden %s, run %s (if the manifest changed on purpose, run `make golden`)",
			describeDataset(golden.Dataset), describeDataset(got.Dataset)))
	}
	r.Problems = append(r.Problems, towerProblems(golden, got)...)
	r.Notes = modelNotes(golden, got)
	m0, m1 := golden.Metrics, got.Metrics
	r.Deltas = []Delta{
		{Metric: "top-1 accuracy", Golden: m0.Top1, Got: m1.Top1, Band: band.Top1, Gated: true},
		{Metric: "top-5 accuracy", Golden: m0.Top5, Got: m1.Top5, Band: band.Top5, Gated: true},
		{Metric: "mean per-class recall", Golden: m0.MeanPerClassRecall, Got: m1.MeanPerClassRecall},
	}
	p := match(golden.Predictions, got.Predictions)
	if n := len(p.onlyFirst); n > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d golden samples are missing from the run (first: row %d, pixels %s)", n, p.onlyFirst[0].Row, p.onlyFirst[0].Pixels))
	}
	if n := len(p.onlySecond); n > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d samples of the run are not in the golden (first: row %d, pixels %s)", n, p.onlySecond[0].Row, p.onlySecond[0].Pixels))
	}
	r.Matched = len(p.pairs)
	for _, pr := range p.pairs {
		g, n := pr[0], pr[1]
		if g.Top1() == n.Top1() {
			r.Agree++
			continue
		}
		r.Flips = append(r.Flips, Flip{Row: n.Row, Label: g.Label, Golden: g.Top1(), Got: n.Top1()})
	}
	return r
}

// describeDataset names a sample in one line.
func describeDataset(d DatasetInfo) string {
	return fmt.Sprintf("%s %s, first %d rows of %s (sha256 %.12s)", d.Name, d.Split, d.ManifestRows, d.Manifest, d.ManifestSHA256)
}

// modelNotes lists how the run's model and runtime differ from the
// golden's in ways that explain rather than fail: another ONNX Runtime
// version, model folder, type or variant name.
func modelNotes(golden, got *Golden) []string {
	var notes []string
	if golden.DeviceOf() != got.DeviceOf() {
		notes = append(notes, fmt.Sprintf("ran on %s, the golden was recorded on %s", got.DeviceOf(), golden.DeviceOf()))
	}
	if golden.Runtime != got.Runtime {
		notes = append(notes, fmt.Sprintf("ONNX Runtime %s, the golden was made with %s", got.Runtime, golden.Runtime))
	}
	g, m := golden.Model, got.Model
	if g.Path != m.Path || g.Variant != m.Variant || g.Type != m.Type {
		notes = append(notes, fmt.Sprintf("model %s (%s, %s), the golden's is %s (%s, %s)", m.Path, m.Type, m.Variant, g.Path, g.Type, g.Variant))
	}
	return notes
}

// towerProblems lists each tower whose file or SHA-256 differs from the
// golden's: the golden holds for those exact graphs, so another graph (a
// quantized build silently replaced by the fp32 one, say) fails the case
// whatever its accuracy.
func towerProblems(golden, got *Golden) []string {
	var problems []string
	for _, role := range sortedRoles(golden.Model.Towers, got.Model.Towers) {
		t, gok := golden.Model.Towers[role]
		u, uok := got.Model.Towers[role]
		switch {
		case !uok:
			problems = append(problems, fmt.Sprintf("tower %s changed: the run has none, the golden's is %s (sha256 %.12s)", role, t.File, t.SHA256))
		case !gok:
			problems = append(problems, fmt.Sprintf("tower %s changed: the run's %s (sha256 %.12s) is not in the golden", role, u.File, u.SHA256))
		case u != t:
			problems = append(problems, fmt.Sprintf("tower %s changed: the run's %s (sha256 %.12s) is not the golden's %s (sha256 %.12s)", role, u.File, u.SHA256, t.File, t.SHA256))
		default:
			continue
		}
		problems[len(problems)-1] += "; if the new tower is intended, record it with `make golden` and review the diff"
	}
	return problems
}

// sortedRoles returns the roles of both maps, sorted.
func sortedRoles(a, b map[zsic.Role]Tower) []zsic.Role {
	var roles []zsic.Role
	for r := range a {
		roles = append(roles, r)
	}
	for r := range b {
		if _, ok := a[r]; !ok {
			roles = append(roles, r)
		}
	}
	slices.Sort(roles)
	return roles
}

// Agreement returns the share, in percent, of matched samples whose top-1
// label is unchanged.
func (r Report) Agreement() float64 {
	if r.Matched == 0 {
		return 0
	}
	return 100 * float64(r.Agree) / float64(r.Matched)
}

// AgreementOK reports whether the agreement is at or above the floor.
func (r Report) AgreementOK() bool {
	return r.Matched > 0 && r.Agreement() >= r.Band.MinAgreement-1e-9
}

// OK reports whether the run passes: no problems, every gated metric within
// its band, and the agreement at or above its floor.
func (r Report) OK() bool {
	if len(r.Problems) > 0 || !r.AgreementOK() {
		return false
	}
	for _, d := range r.Deltas {
		if !d.OK() {
			return false
		}
	}
	return true
}

// FlipCounts returns how many flips turned a right top-1 wrong and how many
// turned a wrong one right.
func (r Report) FlipCounts() (rightToWrong, wrongToRight int) {
	for _, f := range r.Flips {
		switch f.Label {
		case f.Golden:
			rightToWrong++
		case f.Got:
			wrongToRight++
		}
	}
	return rightToWrong, wrongToRight
}

// String renders the report: a verdict line, one line per metric with the
// golden value, the run's, the delta and the band, the agreement with the
// number of flips and the first few, then problems and notes.
func (r Report) String() string {
	var b strings.Builder
	verdict := "matches its golden"
	if !r.OK() {
		verdict = "REGRESSED against its golden"
	}
	fmt.Fprintf(&b, "%s %s (%d samples)\n", r.Case, verdict, r.Samples)
	for _, d := range r.Deltas {
		fmt.Fprintf(&b, "  %-22s golden %7.3f%%  got %7.3f%%  Δ %+7.3f pts  ", d.Metric, d.Golden, d.Got, d.Got-d.Golden)
		switch {
		case !d.Gated:
			b.WriteString("(reported, not gated)\n")
		case d.OK():
			fmt.Fprintf(&b, "band ±%.3g pts  ok\n", d.Band)
		default:
			fmt.Fprintf(&b, "band ±%.3g pts  FAIL\n", d.Band)
		}
	}
	status := "ok"
	if !r.AgreementOK() {
		status = "FAIL"
	}
	rw, wr := r.FlipCounts()
	fmt.Fprintf(&b, "  %-22s %d of %d = %.2f%%  floor %.4g%%  %s: %d samples flipped (%d right→wrong, %d wrong→right, %d wrong→wrong)\n",
		"top-1 agreement", r.Agree, r.Matched, r.Agreement(), r.Band.MinAgreement, status, len(r.Flips), rw, wr, len(r.Flips)-rw-wr)
	if len(r.Flips) > 0 {
		shown := r.Flips[:min(len(r.Flips), maxFlipsShown)]
		parts := make([]string, len(shown))
		for i, f := range shown {
			parts[i] = fmt.Sprintf("row %d (label %d): %d → %d", f.Row, f.Label, f.Golden, f.Got)
		}
		more := ""
		if n := len(r.Flips) - len(shown); n > 0 {
			more = fmt.Sprintf("; and %d more", n)
		}
		fmt.Fprintf(&b, "  first flips (golden top-1 → new top-1): %s%s\n", strings.Join(parts, "; "), more)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  problem: %s\n", p)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	fmt.Fprintf(&b, "  band: %s\n", r.Band.Reason)
	return b.String()
}
