// Package rusage reads how much CPU time and memory the process has used,
// for the timings of zsic's reports and benchmarks.
package rusage

import "time"

// Usage is the process's resource use so far.
type Usage struct {
	// CPU is the user plus system CPU time of all the process's threads.
	CPU time.Duration
	// PeakRSS is the largest resident set size the process has had, in
	// bytes; zero where the platform does not tell.
	PeakRSS int64
}

// Since returns the CPU time used between u and now, and now's peak RSS.
func (u Usage) Since() Usage {
	n := Now()
	return Usage{CPU: n.CPU - u.CPU, PeakRSS: n.PeakRSS}
}
