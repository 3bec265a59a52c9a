//go:build !unix && !windows

package rusage

// Now returns zero: the platform has no getrusage.
func Now() Usage { return Usage{} }
