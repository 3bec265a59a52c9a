package zsic

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zsic/zsic/zsic/encoder"
	"github.com/zsic/zsic/zsic/imageproc"
)

// This file is the worker pool of the batched path (see pipeline.go): one
// goroutine reads the inputs and hands each to a slot of a batch buffer,
// Workers goroutines decode and preprocess them straight into their slots,
// and the caller's goroutine collects the batches in input order.
//
//	read ──job (batch, slot)──▶ workers ──done──▶ collect ──prepared──▶ image tower
//	  ▲                                                                    │
//	  └──────────────── batch pixel buffers, recycled ◀─────────────────────┘
//
// Memory is bounded by the buffers in circulation (a few batches, see
// buffersFor), whatever the dataset's size; the output does not depend on
// the number of workers, since every image lands in the slot its position
// gives and batches leave in order.

// Split is how a run divides the cores between ONNX Runtime and the
// decode/preprocess workers.
type Split struct {
	Threads int // ONNX Runtime's intra-op threads per tower
	Workers int // goroutines decoding and preprocessing images
	Streams int // image-tower runs in flight at once, each on its own batch
}

// DefaultSplit returns how a run divides cores CPU cores (as
// runtime.GOMAXPROCS reports them) for throughput: as many image-tower
// runs in flight as cores, each on its own batch with one intra-op
// thread, and a decode/preprocess worker per core. A batch per core costs
// ONNX Runtime less CPU per image than a batch split over the cores, and
// the runs do not wait on each other's slowest thread, which keeps a
// shared machine's cores busy; ONNX Runtime's threads are told not to spin
// (see encoder.Options.NoSpin), so workers and tower runs take turns on a
// core instead of fighting. A run of fewer batches than cores leaves
// cores idle at its end: LatencySplit suits one batch at a time. The
// measurements behind this choice are in README.md ("Speed").
func DefaultSplit(cores int) Split {
	cores = max(cores, 1)
	return Split{Threads: 1, Workers: cores, Streams: cores}
}

// LargeTower is the image-tower size (its file with its external data)
// from which SplitFor gives every core to one run: a ViT-B/32 is 351 MB in
// fp32 and 95 MB in dynamic int8, the fixtures a few MB.
const LargeTower = 64 << 20

// SplitFor returns the default split of cores for m on device:
// DefaultSplit, or LatencySplit (one run in flight) when m's image tower
// with its external data is LargeTower bytes or more, or when device is
// not the CPU. A large tower's batch holds large activations, which each
// stream in flight holds at once (on a ViT-B/32 at batch 32, about 120 MB
// more peak memory per stream), and its large products keep every
// intra-op thread busy, so it runs as fast with one stream (README.md,
// "Speed"). An accelerator's session runs one batch at a time, as zsic
// always ran them: ONNX Runtime's GPU and NPU providers do not all
// support concurrent runs of one session.
func SplitFor(m *Model, device string, cores int) Split {
	if encoder.ProviderName(device) != encoder.ProviderName("cpu") || towerBytes(m.Towers[ImageEncoder]) >= LargeTower {
		return LatencySplit(cores)
	}
	return DefaultSplit(cores)
}

// towerBytes returns the size of the ONNX file path and of its external
// data file, if any (0 for a file it cannot stat).
func towerBytes(path string) int64 {
	var n int64
	for _, ext := range append([]string{""}, ExternalDataSuffixes...) {
		if st, err := os.Stat(path + ext); err == nil {
			n += st.Size()
		}
	}
	return n
}

// Given returns s with the values the user gave (non-zero) in place of
// its own. One of threads and streams given alone sets the other so that
// their product stays within cores, as s's does: --threads 8 on 8 cores
// runs one stream, not eight of eight threads each; --streams 4 on a
// split of every core to one run gives each run cores/4 threads.
func (s Split) Given(threads, workers, streams, cores int) Split {
	cores = max(cores, 1)
	switch {
	case threads > 0 && streams == 0:
		streams = max(1, min(s.Streams, cores/threads))
	case streams > 0 && threads == 0:
		threads = max(1, min(s.Threads, cores/streams))
	}
	if threads > 0 {
		s.Threads = threads
	}
	if workers > 0 {
		s.Workers = workers
	}
	if streams > 0 {
		s.Streams = streams
	}
	return s
}

// LatencySplit returns how to divide cores CPU cores to run one batch at a
// time as fast as it goes: every core an intra-op thread of the one tower
// run in flight, and a worker per core.
func LatencySplit(cores int) Split {
	cores = max(cores, 1)
	return Split{Threads: cores, Workers: cores, Streams: 1}
}

// Options returns opt with the split's threads, workers and streams.
func (s Split) Options(opt Options) Options {
	opt.Threads, opt.Workers, opt.Streams = s.Threads, s.Workers, s.Streams
	return opt
}

// Cores returns the CPU cores this process may use.
func Cores() int { return runtime.GOMAXPROCS(0) }

// stageClock adds up the time of a run's stages over all goroutines.
type stageClock struct {
	read, decode, preprocess, image, scoring atomic.Int64 // nanoseconds
}

// add adds the time since start to d and returns now.
func (*stageClock) add(d *atomic.Int64, start time.Time) time.Time {
	now := time.Now()
	d.Add(int64(now.Sub(start)))
	return now
}

// timings returns the stage totals.
func (s *stageClock) timings() Timings {
	return Timings{
		Read:       time.Duration(s.read.Load()),
		Decode:     time.Duration(s.decode.Load()),
		Preprocess: time.Duration(s.preprocess.Load()),
		ImageTower: time.Duration(s.image.Load()),
		Scoring:    time.Duration(s.scoring.Load()),
	}
}

// Timings says where a run's time went. Each stage adds up its own time
// over every goroutine that ran it, so with several workers Decode and
// Preprocess can exceed the run's wall time; Read excludes the time the
// reader waited for a free buffer.
type Timings struct {
	Read       time.Duration // reading the encoded images from the source
	Decode     time.Duration // decoding them
	Preprocess time.Duration // resizing, cropping, rescaling and normalizing
	ImageTower time.Duration // running the image tower
	TextTower  time.Duration // tokenizing and running the text tower
	Scoring    time.Duration // scoring and ranking the labels
}

// batchSlots is a batch buffer in the making: its inputs, each one's
// error, and the pixels the workers write.
type batchSlots struct {
	seq    int // the batch's place in the run
	inputs []input
	errs   []error
	pixels []float32 // cap: size*per
	n      int       // inputs assigned; final once sealed
	done   int       // inputs processed (collector only)
	sealed bool      // (collector only)
}

// slotJob is one input for a worker: slot i of b.
type slotJob struct {
	b *batchSlots
	i int
}

// pipeEvent tells the collector that a slot is done (i ≥ 0) or that the
// reader has sealed b (i < 0).
type pipeEvent struct {
	b *batchSlots
	i int
}

// pixelPool recycles one run's batch pixel buffers: at most max exist.
type pixelPool struct {
	free chan []float32
	made int // buffers allocated (the reader alone counts)
	max  int
	size int
}

func newPixelPool(max, size int) *pixelPool {
	return &pixelPool{free: make(chan []float32, max), max: max, size: size}
}

// get returns a free buffer, allocating one while fewer than max exist,
// else waiting for one to come back.
func (p *pixelPool) get(ctx context.Context) ([]float32, error) {
	select {
	case b := <-p.free:
		return b, nil
	default:
	}
	if p.made < p.max {
		p.made++
		return make([]float32, p.size), nil
	}
	select {
	case b := <-p.free:
		return b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// getNow returns a free buffer, or a new one when none is free; the
// collector uses it to carry images past a failure without waiting on the
// reader's buffers.
func (p *pixelPool) getNow() []float32 {
	select {
	case b := <-p.free:
		return b
	default:
		return make([]float32, p.size)
	}
}

// put returns a buffer to the pool; it never blocks.
func (p *pixelPool) put(b []float32) {
	if cap(b) < p.size {
		return
	}
	select {
	case p.free <- b[:p.size]:
	default:
	}
}

// buffersFor returns how many batch buffers a run keeps in circulation:
// one per image-tower stream, one waiting for them, one being sent, and
// enough being filled to keep every worker busy.
func buffersFor(size, workers, streams int) int {
	return 2 + streams + (2*workers+size-1)/size
}

// preparePool is prepare (see pipeline.go) on opt.workers goroutines. It
// sends batches of opt.size inputs, less the failed ones, in input order;
// with opt.strict the first failing input, in input order, ends the run.
// Buffers come from pool; the consumer puts them back.
func (c *Classifier) preparePool(ctx context.Context, in inputs, opt batchOptions, pool *pixelPool, clock *stageClock, out chan<- prepared) error {
	per := 3 * c.h * c.w
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan slotJob, 2*opt.workers)
	events := make(chan pipeEvent, 2*opt.workers+opt.size)
	// Workers.
	var wg sync.WaitGroup
	for range opt.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pre := c.Model.Preprocess.NewPreprocessor()
			for j := range jobs {
				x := &j.b.inputs[j.i]
				j.b.errs[j.i] = c.preprocessInto(x, j.b.pixels[j.i*per:(j.i+1)*per], pre, clock)
				x.Image, x.img = nil, nil
				select {
				case events <- pipeEvent{j.b, j.i}:
				case <-ctx.Done():
				}
			}
		}()
	}
	// Reader.
	readErr := make(chan error, 1)
	go func() {
		defer func() {
			close(jobs)
			wg.Wait()
			close(events)
		}()
		var cur *batchSlots
		seq := 0
		seal := func() bool {
			select {
			case events <- pipeEvent{cur, -1}:
				cur = nil
				return true
			case <-ctx.Done():
				return false
			}
		}
		last := time.Now()
		err := in(func(x input) error {
			clock.add(&clock.read, last)
			if cur == nil {
				px, err := pool.get(ctx)
				if err != nil {
					return errStop
				}
				cur = &batchSlots{seq: seq, inputs: make([]input, opt.size), errs: make([]error, opt.size), pixels: px}
				seq++
			}
			cur.inputs[cur.n] = x
			select {
			case jobs <- slotJob{cur, cur.n}:
			case <-ctx.Done():
				return errStop
			}
			cur.n++
			if cur.n == opt.size && !seal() {
				return errStop
			}
			last = time.Now()
			return nil
		})
		if cur != nil && !seal() && err == nil {
			err = errStop
		}
		readErr <- err
	}()
	// Collector: a batch leaves once the reader has sealed it and all its
	// slots are done, and after every batch before it.
	col := collector{c: c, opt: opt, per: per, pool: pool, out: out}
	pending := map[int]*batchSlots{}
	next := 0
	var err error
	for ev := range events {
		if err != nil {
			continue // drain until the reader and workers stop
		}
		pending[ev.b.seq] = ev.b
		if ev.i < 0 {
			ev.b.sealed = true
		} else {
			ev.b.done++
		}
		for b := pending[next]; b != nil && b.sealed && b.done == b.n; b = pending[next] {
			delete(pending, next)
			next++
			if err = col.add(ctx, b); err != nil {
				cancel()
				break
			}
		}
	}
	rerr := <-readErr
	if err == nil && rerr == nil {
		err = col.flush(ctx)
	}
	switch {
	case err != nil && errors.Is(err, errStop):
		return ctx.Err()
	case err != nil:
		return err
	case rerr != nil && !errors.Is(rerr, errStop):
		return rerr
	case rerr != nil:
		return ctx.Err()
	}
	return nil
}

// collector turns finished input batches, in order, into the batches the
// image tower runs: opt.size images each (the last may be smaller), failed
// inputs left out and reported with the batch that follows them, so a
// failure leaves no hole. A batch without failures, when nothing is
// carried over, goes out as it is; otherwise its images are copied into
// the carried batch.
type collector struct {
	c     *Classifier
	opt   batchOptions
	per   int
	pool  *pixelPool
	out   chan<- prepared
	carry prepared // images and failures waiting for the next batch
}

// add takes the next finished input batch.
func (k *collector) add(ctx context.Context, b *batchSlots) error {
	clean := true
	for _, e := range b.errs[:b.n] {
		clean = clean && e == nil
	}
	if clean && len(k.carry.samples) == 0 {
		p := prepared{samples: make([]Sample, b.n), pixels: b.pixels[:b.n*k.per], failures: k.carry.failures}
		for i := range b.n {
			p.samples[i] = b.inputs[i].Sample
		}
		k.carry = prepared{}
		return k.send(ctx, p)
	}
	defer k.pool.put(b.pixels)
	for i := range b.n {
		x := b.inputs[i]
		if e := b.errs[i]; e != nil {
			if k.opt.strict {
				return &ImageError{Row: x.Row, Path: x.Path, Err: e}
			}
			k.carry.failures = append(k.carry.failures, Failure{Row: x.Row, Err: e.Error()})
			continue
		}
		if k.carry.pixels == nil {
			k.carry.pixels = k.pool.getNow()[:0]
		}
		k.carry.pixels = append(k.carry.pixels, b.pixels[i*k.per:(i+1)*k.per]...)
		k.carry.samples = append(k.carry.samples, x.Sample)
		if len(k.carry.samples) == k.opt.size {
			p := k.carry
			k.carry = prepared{}
			if err := k.send(ctx, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush sends what is carried over at the end of the run.
func (k *collector) flush(ctx context.Context) error {
	if len(k.carry.samples)+len(k.carry.failures) == 0 {
		return nil
	}
	p := k.carry
	k.carry = prepared{}
	return k.send(ctx, p)
}

// send hands p to the image tower.
func (k *collector) send(ctx context.Context, p prepared) error {
	select {
	case k.out <- p:
		return nil
	case <-ctx.Done():
		return errStop
	}
}

// preprocessInto decodes x if needed and writes its tensor to dst with
// pre, timing both stages. A sample the source could not read (Err set)
// fails with that error.
func (c *Classifier) preprocessInto(x *input, dst []float32, pre *imageproc.Preprocessor, clock *stageClock) error {
	if x.Err != nil {
		return x.Err // the source could not read it
	}
	start := time.Now()
	img := x.img
	if img == nil {
		var err error
		img, err = pre.Decode(x.Image)
		start = clock.add(&clock.decode, start)
		if err != nil {
			return err
		}
	}
	err := pre.Preprocess(img, dst)
	clock.add(&clock.preprocess, start)
	return err
}
