//go:build windows

package rusage

import (
	"syscall"
	"time"
)

// Now returns the process's CPU time (GetProcessTimes); Windows's peak
// working set needs psapi, which this package does not load, so PeakRSS is
// zero.
func Now() Usage {
	h, err := syscall.GetCurrentProcess()
	if err != nil {
		return Usage{}
	}
	var creation, exit, kernel, user syscall.Filetime
	if err := syscall.GetProcessTimes(h, &creation, &exit, &kernel, &user); err != nil {
		return Usage{}
	}
	// Filetimes count 100 ns ticks.
	ticks := func(f syscall.Filetime) int64 { return int64(f.HighDateTime)<<32 | int64(f.LowDateTime) }
	return Usage{CPU: time.Duration((ticks(kernel) + ticks(user)) * 100)}
}
