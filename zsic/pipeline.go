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
//	        (goroutine)        (channel, in input order)        (caller's goroutine)
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
	clock   *stageClock // where the stages' time goes; nil: nowhere
}

// inputs streams the inputs of a run: it calls yield for each, in order,
// and returns yield's first error, or its own.
type inputs func(yield func(input) error) error

// errStop ends a producer whose consumer has gone.
var errStop = errors.New("stop")

// embedBatches runs the batched path: prepare in a goroutine, the image
// tower in the caller's, overlapping the two. emit receives each batch with
// the raw image embedding of each of its samples, in input order. When
// embedBatches returns, the producer has stopped and in is no longer in use.
func (c *Classifier) embedBatches(ctx context.Context, in inputs, opt batchOptions, emit func(b prepared, embeds [][]float32) error) error {
	if opt.clock == nil {
		opt.clock = new(stageClock)
	}
	opt.workers = max(opt.workers, 1)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(chan prepared, 1)
	done := make(chan error, 1)
	pool := newPixelPool(buffersFor(opt.size, opt.workers), opt.size*3*c.h*c.w)
	go func() {
		defer close(out)
		done <- c.preparePool(pctx, in, opt, pool, opt.clock, out)
	}()
	err := func() error {
		for b := range out {
			var embeds [][]float32
			if len(b.samples) > 0 {
				start := time.Now()
				var err error
				embeds, err = c.image.Embed(b.pixels, len(b.samples), c.h, c.w)
				opt.clock.add(&opt.clock.image, start)
				if err != nil {
					return err
				}
				if len(embeds) != len(b.samples) {
					return fmt.Errorf("image tower returned %d embeddings for %d images", len(embeds), len(b.samples))
				}
			}
			pool.put(b.pixels)
			start := time.Now()
			err := emit(b, embeds)
			opt.clock.add(&opt.clock.scoring, start)
			if err != nil {
				return err
			}
		}
		return nil
	}()
	// Stop the producer and wait for it, so that in is no longer in use
	// when this returns, even on an early error.
	cancel()
	for range out {
	}
	if perr := <-done; err == nil && perr != nil {
		err = perr
	}
	if err == nil {
		err = ctx.Err() // the caller's cancellation, if any
	}
	return err
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
