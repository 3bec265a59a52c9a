// Package progress is how zsic's long-running work says how far it has got:
// Hub downloads count bytes, evaluations count images. The work calls a Func;
// what to show, if anything, is the caller's choice (Bar draws a one-line
// bar on a terminal).
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Unit is what a task counts.
type Unit int

// Units.
const (
	Items Unit = iota // images, rows, ...
	Bytes             // bytes of a download
)

// Update is one report of a task's progress.
type Update struct {
	Task  string // what is being done, e.g. "eval" or "downloading model.onnx"
	Unit  Unit   // what Done and Total count
	Done  int64  // units done so far
	Total int64  // units in all; 0 when unknown
	Final bool   // the task ended: it succeeded when Err is nil
	Err   error  // why the task failed, with Final
}

// Func receives progress updates. The work calls it from one goroutine at a
// time, and last with Final set when the task ends. A nil Func is valid and
// receives nothing: use Report to call one.
type Func func(Update)

// Report calls f with u unless f is nil.
func (f Func) Report(u Update) {
	if f != nil {
		f(u)
	}
}

// minBytes is the size from which Bar draws a download.
const minBytes = 1 << 20

// Bar returns a Func that draws each task as a one-line bar on w, at most
// every 100 ms, ending the line when the task ends. Downloads under 1 MiB
// are not drawn. It is safe for concurrent use.
func Bar(w io.Writer) Func {
	b := &bar{w: w}
	return b.update
}

type bar struct {
	mu    sync.Mutex
	w     io.Writer
	task  string
	start time.Time
	last  time.Time
}

func (b *bar) update(u Update) {
	if u.Unit == Bytes && u.Total < minBytes {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if u.Task != b.task {
		b.task, b.start, b.last = u.Task, now, time.Time{}
	}
	if !u.Final && now.Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last = now
	switch u.Unit {
	case Bytes:
		fmt.Fprintf(b.w, "\r%s: %s / %s (%d%%)", u.Task, mib(u.Done), mib(u.Total), 100*u.Done/u.Total)
	default:
		const width = 30
		frac := float64(u.Done) / float64(max(u.Total, 1))
		n := min(int(frac*width), width)
		rate := float64(u.Done) / max(now.Sub(b.start).Seconds(), 1e-9)
		fmt.Fprintf(b.w, "\r%s [%s%s] %d/%d %.0f img/s", u.Task, strings.Repeat("=", n), strings.Repeat(" ", width-n), u.Done, u.Total, rate)
	}
	if u.Final {
		if u.Err != nil {
			fmt.Fprintln(b.w, " failed")
		} else {
			fmt.Fprintln(b.w, " done")
		}
		b.task = ""
	}
}

// mib formats a byte count in MiB.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
