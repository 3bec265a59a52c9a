package encoder

import (
	"sync"
	"time"
)

// RunStats splits a tower's time into the cold start and the warm runs:
// on an NPU or GPU, creating the session (graph partitioning, compiling
// for the execution provider) and the first run can take seconds, while
// the later runs are what a deployed model costs per image.
type RunStats struct {
	// Open is the time to create the session, the graph read, optimized,
	// partitioned and compiled for its execution provider.
	Open time.Duration
	// First is the time of the first run (cold), of FirstItems rows.
	First      time.Duration
	FirstItems int
	// Warm is the time of the later runs, WarmRuns of them, of WarmItems
	// rows in all.
	Warm      time.Duration
	WarmItems int
	WarmRuns  int
}

// WarmPerItem returns the mean warm time per row, 0 before a warm run.
func (s RunStats) WarmPerItem() time.Duration {
	if s.WarmItems == 0 {
		return 0
	}
	return s.Warm / time.Duration(s.WarmItems)
}

// runClock records a session's RunStats; it may be used from several
// goroutines at once.
type runClock struct {
	mu sync.Mutex
	s  RunStats
}

// add records a run of items rows that took d.
func (c *runClock) add(d time.Duration, items int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s.FirstItems == 0 {
		c.s.First, c.s.FirstItems = d, items
		return
	}
	c.s.Warm += d
	c.s.WarmItems += items
	c.s.WarmRuns++
}

// stats returns what c has recorded.
func (c *runClock) stats() RunStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.s
}

// Stats returns the image tower's cold and warm times so far.
func (e *Image) Stats() RunStats { return e.s.clock.stats() }

// Stats returns the text tower's cold and warm times so far.
func (e *Text) Stats() RunStats { return e.s.clock.stats() }
