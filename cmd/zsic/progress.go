package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress draws a one-line progress bar on a terminal.
type progress struct {
	w     io.Writer
	label string
	start time.Time
	last  time.Time
}

// newProgress returns a progress callback that draws on w, or nil when w is
// not a terminal or quiet is set.
func newProgress(w io.Writer, label string, quiet bool) func(done, total int) {
	if quiet || terminal(w) == nil {
		return nil
	}
	p := &progress{w: w, label: label, start: time.Now()}
	return p.update
}

func (p *progress) update(done, total int) {
	now := time.Now()
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	frac := float64(done) / float64(max(total, 1))
	bar := strings.Repeat("=", int(frac*width)) + strings.Repeat(" ", width-int(frac*width))
	rate := float64(done) / max(now.Sub(p.start).Seconds(), 1e-9)
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d %.0f img/s", p.label, bar, done, total, rate)
	if done >= total {
		fmt.Fprintln(p.w)
	}
}
