package shard

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/zsic/zsic/zsic"
)

// Part is one shard's outcome, as its report and predictions file give it.
type Part struct {
	// Name names the part in messages, e.g. its report's path.
	Name        string
	Shard       *Spec // nil for a report that is not a shard's
	Fingerprint *Fingerprint
	Predictions []zsic.Prediction
	Failures    []zsic.Failure
}

// Merged is the outcome of the whole run, rebuilt from its parts.
type Merged struct {
	Fingerprint *Fingerprint
	Count       int               // parts merged
	Predictions []zsic.Prediction // ordered by row
	Failures    []zsic.Failure    // ordered by row
	Metrics     zsic.Metrics      // as a single-process run computes them
}

// Merge checks that parts are the Count parts of one run, each once: the
// same fingerprint, every index from 0 to Count-1, no row twice, and each
// part as many rows as its share of the selection. It then joins their
// predictions and failures and scores them with zsic.Score, so the metrics
// are those of a single-process run. Every problem found is listed in the
// error.
func Merge(parts []Part) (*Merged, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge: no shard reports")
	}
	var errs []string
	var ref *Part
	for i := range parts {
		p := &parts[i]
		switch {
		case p.Shard == nil:
			errs = append(errs, fmt.Sprintf("%s is not a shard report (it has no shard)", p.Name))
		case p.Fingerprint == nil:
			errs = append(errs, fmt.Sprintf("%s has no run fingerprint", p.Name))
		case ref == nil:
			ref = p
		}
	}
	if ref == nil {
		return nil, mergeError(errs)
	}
	n := ref.Shard.Count
	byIndex := map[int][]string{}
	for i := range parts {
		p := &parts[i]
		if p.Shard == nil || p.Fingerprint == nil {
			continue
		}
		if p.Shard.Count != n {
			errs = append(errs, fmt.Sprintf("%s is shard %s but %s is shard %s: the runs were split differently", p.Name, p.Shard, ref.Name, ref.Shard))
			continue
		}
		if d := Diff(ref.Fingerprint, p.Fingerprint); len(d) > 0 {
			errs = append(errs, fmt.Sprintf("%s is from another run than %s: %s", p.Name, ref.Name, listFew(d)))
			continue
		}
		byIndex[p.Shard.Index] = append(byIndex[p.Shard.Index], p.Name)
	}
	var missing []string
	for k := range n {
		names := byIndex[k]
		switch {
		case len(names) == 0:
			missing = append(missing, Spec{k, n}.String())
		case len(names) > 1:
			errs = append(errs, fmt.Sprintf("shard %s is given %d times: %s", Spec{k, n}, len(names), strings.Join(names, ", ")))
		}
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Sprintf("missing shard(s) %s of %d", strings.Join(missing, ", "), n))
	}
	if len(errs) > 0 {
		return nil, mergeError(errs)
	}

	total := ref.Fingerprint.Selection.Rows
	m := &Merged{Fingerprint: ref.Fingerprint, Count: n}
	owner := map[int]string{} // row -> part name
	var dups []string
	for i := range parts {
		p := &parts[i]
		lo, hi := p.Shard.Bounds(total)
		if got := len(p.Predictions) + len(p.Failures); got != hi-lo {
			errs = append(errs, fmt.Sprintf("%s (shard %s) has %d rows (%d predictions, %d failures), want %d of the %d selected; is it complete?",
				p.Name, p.Shard, got, len(p.Predictions), len(p.Failures), hi-lo, total))
		}
		note := func(row int) {
			if o, ok := owner[row]; ok {
				dups = append(dups, fmt.Sprintf("row %d in %s and %s", row, o, p.Name))
				return
			}
			owner[row] = p.Name
		}
		for _, pr := range p.Predictions {
			if err := checkPrediction(pr, ref.Fingerprint.Prompts.Classes.Count); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", p.Name, err))
				break
			}
			note(pr.Row)
		}
		for _, f := range p.Failures {
			note(f.Row)
		}
		m.Predictions = append(m.Predictions, p.Predictions...)
		m.Failures = append(m.Failures, p.Failures...)
	}
	if len(dups) > 0 {
		errs = append(errs, fmt.Sprintf("%d duplicate row(s): %s", len(dups), listFew(dups)))
	}
	if len(errs) > 0 {
		return nil, mergeError(errs)
	}
	slices.SortFunc(m.Predictions, func(a, b zsic.Prediction) int { return a.Row - b.Row })
	slices.SortFunc(m.Failures, func(a, b zsic.Failure) int { return a.Row - b.Row })
	if len(m.Predictions) == 0 {
		return nil, errors.New("merge: no shard scored any image")
	}
	m.Metrics = zsic.Measure(m.Predictions, ref.Fingerprint.Prompts.Classes.Count)
	return m, nil
}

func mergeError(errs []string) error {
	if len(errs) == 1 {
		return fmt.Errorf("merge: %s", errs[0])
	}
	return fmt.Errorf("merge: %d problems:\n  %s", len(errs), strings.Join(errs, "\n  "))
}

// checkPrediction reports a prediction whose labels are not class ids of a
// run with classes classes.
func checkPrediction(p zsic.Prediction, classes int) error {
	if p.Label < 0 || p.Label >= classes {
		return fmt.Errorf("row %d: label %d is not a class id (the run has %d classes)", p.Row, p.Label, classes)
	}
	for _, l := range p.Top5 {
		if l < 0 || l >= classes {
			return fmt.Errorf("row %d: predicted label %d is not a class id (the run has %d classes)", p.Row, l, classes)
		}
	}
	return nil
}
