package zsic

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// workerSource is memSource with images of varied sizes and some broken
// ones, so workers finish out of order.
func workerSource(t *testing.T, n int, bad ...int) *memSource {
	src := &memSource{}
	for i := range n {
		src.samples = append(src.samples, Sample{Row: i, Image: encodePNG(t, testImage(i, 8+(i*7)%40, 9+(i*5)%31)),
			Path: fmt.Sprintf("img%d.png", i), Label: i % 3})
	}
	for _, b := range bad {
		src.samples[b].Image = []byte("not an image")
	}
	return src
}

// TestWorkersSameOutput runs Evaluate with 1 to 8 workers and several batch
// sizes on images of varied sizes, some broken: predictions, failures and
// the batches the tower sees are the same for any number of workers.
func TestWorkersSameOutput(t *testing.T) {
	src := workerSource(t, 41, 0, 5, 6, 7, 19, 40)
	rows := make([]int, len(src.samples))
	for i := range rows {
		rows[i] = i
	}
	classes := []string{"cat", "dog", "maple_tree"}
	for _, batch := range []int{1, 2, 3, 8, 32, 64} {
		var want *Result
		var wantBatches []int
		for _, workers := range []int{1, 2, 3, 8} {
			c, tower := fakeClassifier(t, batch)
			c.workers = workers
			res, err := c.Evaluate(context.Background(), src, rows, EvalOptions{Classes: classes, BatchSize: batch})
			require.NoError(t, err)
			require.Equal(t, workers, res.Workers)
			require.Zero(t, src.inFlight.Load())
			if want == nil {
				want, wantBatches = res, tower.batches
				require.Len(t, res.Failures, 6)
				for _, b := range tower.batches[:len(tower.batches)-1] {
					require.Equal(t, batch, b, "full batches despite failures")
				}
				continue
			}
			require.Equal(t, want.Predictions, res.Predictions, "batch %d, %d workers", batch, workers)
			require.Equal(t, want.Failures, res.Failures, "batch %d, %d workers", batch, workers)
			require.Equal(t, wantBatches, tower.batches, "batch %d, %d workers", batch, workers)
		}
	}
}

// TestWorkersStrictFirstFailure checks that with many workers the failure
// that ends a strict run is the first in row order, not the first to
// finish.
func TestWorkersStrictFirstFailure(t *testing.T) {
	src := workerSource(t, 30, 9, 12, 25)
	rows := make([]int, len(src.samples))
	for i := range rows {
		rows[i] = i
	}
	for _, workers := range []int{1, 4, 8} {
		c, _ := fakeClassifier(t, 4)
		c.workers = workers
		_, err := c.Evaluate(context.Background(), src, rows, EvalOptions{Classes: []string{"a", "b", "c"}, Strict: true})
		var ie *ImageError
		require.ErrorAs(t, err, &ie)
		require.Equal(t, 9, ie.Row, "%d workers", workers)
		require.Zero(t, src.inFlight.Load())
	}
}

// TestWorkersBoundedBuffers checks that a run allocates no more batch
// buffers than buffersFor allows, however many images it reads.
func TestWorkersBoundedBuffers(t *testing.T) {
	c, _ := fakeClassifier(t, 2)
	c.workers = 3
	imgs := testImages(40)
	pool := newPixelPool(buffersFor(2, 3, 1), 2*3*c.h*c.w)
	out := make(chan prepared)
	done := make(chan error, 1)
	go func() {
		defer close(out)
		done <- c.preparePool(context.Background(), imageInputs(imgs), batchOptions{size: 2, strict: true, workers: 3}, pool, new(stageClock), out)
	}()
	n := 0
	for b := range out {
		time.Sleep(time.Millisecond) // a slow tower: the workers get ahead
		n += len(b.samples)
		pool.put(b.pixels)
	}
	require.NoError(t, <-done)
	require.Equal(t, 40, n)
	require.LessOrEqual(t, pool.made, buffersFor(2, 3, 1))
}

// TestEvaluateTimings checks that Evaluate accounts for its stages.
func TestEvaluateTimings(t *testing.T) {
	src := workerSource(t, 12)
	c, _ := fakeClassifier(t, 4)
	c.workers = 2
	res, err := c.Evaluate(context.Background(), src, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, EvalOptions{Classes: []string{"a", "b", "c"}})
	require.NoError(t, err)
	tm := res.Timings
	for name, d := range map[string]time.Duration{"decode": tm.Decode, "preprocess": tm.Preprocess, "image tower": tm.ImageTower,
		"text tower": tm.TextTower, "scoring": tm.Scoring} {
		require.Positive(t, d, name)
	}
	require.GreaterOrEqual(t, tm.Read, time.Duration(0))
}

func TestDefaultSplit(t *testing.T) {
	for _, cores := range []int{-1, 0, 1, 2, 16} {
		for _, s := range []Split{DefaultSplit(cores), LatencySplit(cores)} {
			for _, n := range []int{s.Threads, s.Workers, s.Streams} {
				require.GreaterOrEqual(t, n, 1)
				require.LessOrEqual(t, n, max(cores, 1))
			}
			// Every core is busy: with tower runs in flight, or with
			// intra-op threads.
			require.Equal(t, max(cores, 1), s.Threads*s.Streams)
			opt := s.Options(Options{BatchSize: 7})
			require.Equal(t, Options{BatchSize: 7, Threads: s.Threads, Workers: s.Workers, Streams: s.Streams}, opt)
		}
	}
}

// TestSplitFor checks that a large image tower (its external data
// included) or an accelerator gets every core on one run, a small tower on
// the CPU a run per core.
func TestSplitFor(t *testing.T) {
	dir := t.TempDir()
	sparse := func(path string, size int64) string {
		f, err := os.Create(path)
		require.NoError(t, err)
		require.NoError(t, f.Truncate(size))
		require.NoError(t, f.Close())
		return path
	}
	small := sparse(filepath.Join(dir, "small.onnx"), 1)
	large := sparse(filepath.Join(dir, "large.onnx"), LargeTower)
	external := sparse(filepath.Join(dir, "external.onnx"), 1<<20)
	sparse(external+"_data", LargeTower)
	for _, tt := range []struct {
		path, device string
		want         Split
	}{
		{small, "", DefaultSplit(4)},
		{small, "cpu", DefaultSplit(4)},
		{large, "cpu", LatencySplit(4)},
		{external, "cpu", LatencySplit(4)},
		{filepath.Join(dir, "missing.onnx"), "cpu", DefaultSplit(4)},
		{small, "cuda", LatencySplit(4)},
		{small, "directml:1", LatencySplit(4)},
	} {
		m := &Model{Towers: map[Role]string{ImageEncoder: tt.path}}
		require.Equal(t, tt.want, SplitFor(m, tt.device, 4), "%s on %q", tt.path, tt.device)
	}
}

// TestSplitGiven checks that given values replace the split's, and that
// threads or streams given alone keep threads × streams within the cores.
func TestSplitGiven(t *testing.T) {
	def, lat := DefaultSplit(8), LatencySplit(8)
	for _, tt := range []struct {
		name                      string
		s                         Split
		threads, workers, streams int
		want                      Split
	}{
		{"nothing given", def, 0, 0, 0, def},
		{"threads alone: fewer streams", def, 8, 0, 0, Split{Threads: 8, Workers: 8, Streams: 1}},
		{"threads alone, 3 of 8", def, 3, 0, 0, Split{Threads: 3, Workers: 8, Streams: 2}},
		{"threads beyond the cores", def, 32, 0, 0, Split{Threads: 32, Workers: 8, Streams: 1}},
		{"streams alone: fewer threads", lat, 0, 0, 4, Split{Threads: 2, Workers: 8, Streams: 4}},
		{"streams alone on one thread each", def, 0, 0, 4, Split{Threads: 1, Workers: 8, Streams: 4}},
		{"threads alone on a large tower", lat, 2, 0, 0, Split{Threads: 2, Workers: 8, Streams: 1}},
		{"both given: as given", def, 4, 3, 4, Split{Threads: 4, Workers: 3, Streams: 4}},
		{"workers alone", def, 0, 2, 0, Split{Threads: 1, Workers: 2, Streams: 8}},
	} {
		require.Equal(t, tt.want, tt.s.Given(tt.threads, tt.workers, tt.streams, 8), tt.name)
	}
}
