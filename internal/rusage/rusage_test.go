package rusage

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNow(t *testing.T) {
	start := Now()
	rss := runtime.GOOS != "windows" // Windows reports CPU time only
	if rss {
		require.Positive(t, start.PeakRSS)
	}
	// Touch more than the peak so far, so that the peak must rise however
	// much of the heap the process had freed before (a reused heap would
	// hold a smaller buffer without raising it).
	buf := make([]byte, start.PeakRSS+64<<20)
	for i := range buf {
		buf[i] = byte(i) // touch it: resident
	}
	deadline := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(deadline) {
	}
	u := start.Since()
	require.GreaterOrEqual(t, u.CPU, 20*time.Millisecond, "busy for 50 ms")
	if rss {
		require.GreaterOrEqual(t, u.PeakRSS, start.PeakRSS+32<<20, "peak + 64 MiB touched")
	}
	runtime.KeepAlive(buf)
}
