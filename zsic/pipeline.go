package zsic

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"
)

// This file is the one batched image path that Classify, EmbedImages and
// Evaluate share:
//
//	inputs ──preparePool──▶ batches of preprocessed pixels ──embedBatches──▶ image tower ──▶ emit
//	        (goroutine)        (channel, in input order)        (up to streams     (caller's goroutine,
//	                                                             runs at once)       in input order)
//
// preparePool (workers.go) turns a stream of inputs into batches in input
// order: it decodes, preprocesses and packs them on a pool of workers,
// every batch holding consecutive inputs in order, failures reported in
// order.

// input is one image entering the batched path: a Sample whose encoded
// Image bytes are decoded, or an image already decoded (img set).
type input struct {
	Sample
	img image.Image
}

// prepared is a run of preprocessed images ready for the image tower.
type prepared struct {
	samples  []Sample  // the inputs, Image bytes dropped, in input order
	pixels   []float32 // len(samples) CHW tensors of the model's size
	failures []Failure // inputs skipped since the previous batch, in order
}

// batchOptions configures the batched path.
type batchOptions struct {
	size    int         // images per batch (> 0)
	strict  bool        // an image that fails ends the run instead of being skipped
	workers int         // decode/preprocess goroutines (> 0)
	streams int         // image-tower runs in flight at once (> 0)
	clock   *stageClock // where the stages' time goes; nil: nowhere
}

// inputs streams the inputs of a run: it calls yield for each, in order,
// and returns yield's first error, or its own.
type inputs func(yield func(input) error) error

// errStop ends a producer whose consumer has gone.
var errStop = errors.New("stop")

// embedBatches runs the batched path: prepare in a goroutine, the image
// tower on up to opt.streams batches at once, overlapping the two. emit
// receives each batch (its pixels already back in the pool) with the raw
// image embedding of each of its samples, in input order, on the caller's
// goroutine. When embedBatches returns, the producer and every tower run
// have stopped and in is no longer in use.
func (c *Classifier) embedBatches(ctx context.Context, in inputs, opt batchOptions, emit func(b prepared, embeds [][]float32) error) error {
	if opt.clock == nil {
		opt.clock = new(stageClock)
	}
	opt.workers = max(opt.workers, 1)
	opt.streams = max(opt.streams, 1)
	perBatch := int64(opt.size) * 3 * int64(c.h) * int64(c.w) * 4
	if c.defaultStreams {
		// The default of a stream per core, on many cores with large
		// batches, yields to the bound; streams the user chose do not.
		fit := int(maxInFlightBytes/perBatch) - buffersFor(opt.size, opt.workers, 0)
		opt.streams = max(1, min(opt.streams, fit))
	}
	buffers := buffersFor(opt.size, opt.workers, opt.streams)
	if bytes := int64(buffers) * perBatch; bytes > maxInFlightBytes {
		return fmt.Errorf("%d streams and %d workers at batch size %d: their %d batches of %d×%d images in flight would take %d MiB; want at most %d MiB (fewer streams or a smaller batch size)",
			opt.streams, opt.workers, opt.size, buffers, c.h, c.w, bytes>>20, maxInFlightBytes>>20)
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(chan prepared, 1)
	done := make(chan error, 1)
	pool := newPixelPool(buffers, opt.size*3*c.h*c.w)
	go func() {
		defer close(out)
		done <- c.preparePool(pctx, in, opt, pool, opt.clock, out)
	}()
	// The dispatcher starts a tower run per batch as soon as one of the
	// opt.streams run slots is free, and queues each run's result in batch
	// order; the caller's goroutine takes them from the queue and emits
	// them. A run that ends before an earlier one frees its slot and its
	// pixel buffer at once, so its core takes the next batch instead of
	// waiting for the earlier run; the queue bounds how far runs get ahead
	// of the caller.
	queue := make(chan chan embedded, 2*opt.streams)
	slots := make(chan struct{}, opt.streams)
	go func() {
		defer close(queue)
		for b := range out {
			res := make(chan embedded, 1)
			select {
			case queue <- res:
			case <-pctx.Done():
				pool.put(b.pixels)
				return
			}
			select {
			case slots <- struct{}{}:
			case <-pctx.Done():
				pool.put(b.pixels)
				res <- embedded{b: b, err: pctx.Err()}
				return
			}
			go func() {
				r := c.embedPrepared(b, opt.clock)
				pool.put(b.pixels)
				r.b.pixels = nil
				<-slots
				res <- r
			}()
		}
	}()
	err := func() error {
		for res := range queue {
			r := <-res
			if r.err != nil {
				return r.err
			}
			start := time.Now()
			err := emit(r.b, r.embeds)
			opt.clock.add(&opt.clock.scoring, start)
			if err != nil {
				return err
			}
		}
		return nil
	}()
	// Stop the producer and wait for it and for every tower run, so that
	// in and the towers are no longer in use when this returns, even on an
	// early error.
	cancel()
	for res := range queue {
		<-res
	}
	if perr := <-done; err == nil && perr != nil {
		err = perr
	}
	if err == nil {
		err = ctx.Err() // the caller's cancellation, if any
	}
	return err
}

// maxInFlightBytes bounds the pixel buffers of the batches a run keeps in
// flight (see buffersFor).
const maxInFlightBytes = 8 << 30

// embedded is a prepared batch with its image embeddings, or the error of
// its tower run.
type embedded struct {
	b      prepared
	embeds [][]float32
	err    error
}

// embedPrepared runs the image tower on b.
func (c *Classifier) embedPrepared(b prepared, clock *stageClock) embedded {
	if len(b.samples) == 0 {
		return embedded{b: b}
	}
	start := time.Now()
	embeds, err := c.image.Embed(b.pixels, len(b.samples), c.h, c.w)
	clock.add(&clock.image, start)
	if err == nil && len(embeds) != len(b.samples) {
		err = fmt.Errorf("image tower returned %d embeddings for %d images", len(embeds), len(b.samples))
	}
	return embedded{b: b, embeds: embeds, err: err}
}

// imageInputs streams decoded images as inputs, row i for imgs[i].
func imageInputs(imgs []image.Image) inputs {
	return func(yield func(input) error) error {
		for i, img := range imgs {
			if img == nil {
				return &ImageError{Row: i, Err: errors.New("nil image")}
			}
			if err := yield(input{Sample: Sample{Row: i, Label: -1}, img: img}); err != nil {
				return err
			}
		}
		return nil
	}
}
