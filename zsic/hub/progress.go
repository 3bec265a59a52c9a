package hub

import (
	"fmt"
	"io"
	"time"
)

// progressMin is the size from which a download shows a progress bar.
const progressMin = 1 << 20

// progress draws a one-line byte counter for a download. A nil *progress
// draws nothing.
type progress struct {
	w     io.Writer
	name  string
	total int64
	done  int64
	last  time.Time
}

// newProgress returns a bar for a download of total bytes, or nil when w is
// nil or the file is small or of unknown size.
func newProgress(w io.Writer, name string, total int64) *progress {
	if w == nil || total < progressMin {
		return nil
	}
	return &progress{w: w, name: name, total: total}
}

// set records that done bytes are there, as when a download resumes.
func (p *progress) set(done int64) {
	if p != nil {
		p.done = done
		p.draw(false)
	}
}

// add records n more bytes.
func (p *progress) add(n int64) {
	if p != nil {
		p.done += n
		p.draw(false)
	}
}

// finish draws the last state and ends the line.
func (p *progress) finish(ok bool) {
	if p == nil {
		return
	}
	p.draw(true)
	if ok {
		fmt.Fprintln(p.w, " done")
	} else {
		fmt.Fprintln(p.w, " failed")
	}
}

func (p *progress) draw(force bool) {
	now := time.Now()
	if !force && now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "\rdownloading %s: %s / %s (%d%%)", p.name, mib(p.done), mib(p.total), 100*p.done/p.total)
}

// mib formats a byte count in MiB.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
