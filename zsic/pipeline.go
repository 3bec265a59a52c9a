package zsic

import (
	"context"
	"errors"
	"fmt"
	"image"

	"github.com/zsic/zsic/zsic/imageproc"
)

// This file is the one batched image path that Classify, EmbedImages and
// Evaluate share:
//
//	inputs ──prepare──▶ batches of preprocessed pixels ──embedBatches──▶ image tower ──▶ emit
//	        (goroutine)        (channel, in input order)        (caller's goroutine)
//
// prepare turns a stream of inputs into batches in input order: it decodes,
// preprocesses and packs them. It is the place for a decode/preprocess
// worker pool: workers may handle inputs concurrently as long as every batch
// holds consecutive inputs in order and failures are reported in order.

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
	size   int  // images per batch (> 0)
	strict bool // an image that fails ends the run instead of being skipped
}

// inputs streams the inputs of a run: it calls yield for each, in order,
// and returns yield's first error, or its own.
type inputs func(yield func(input) error) error

// errStop ends a producer whose consumer has gone.
var errStop = errors.New("stop")

// prepare reads in, decodes and preprocesses each image, and sends batches
// of opt.size images (the last may be smaller) to out, in input order. An
// image that cannot be used is a Failure in the next batch, or ends the run
// with an *ImageError when opt.strict. It returns nil when in is exhausted,
// ctx.Err() when cancelled, else the first error. It does not close out.
func (c *Classifier) prepare(ctx context.Context, in inputs, opt batchOptions, out chan<- prepared) error {
	per := 3 * c.h * c.w
	cur := prepared{pixels: make([]float32, 0, opt.size*per)}
	send := func() error {
		select {
		case out <- cur:
		case <-ctx.Done():
			return errStop
		}
		cur = prepared{pixels: make([]float32, 0, opt.size*per)}
		return nil
	}
	err := in(func(x input) error {
		n := len(cur.pixels)
		cur.pixels = cur.pixels[:n+per]
		if err := c.preprocessInput(x, cur.pixels[n:]); err != nil {
			cur.pixels = cur.pixels[:n]
			ie := &ImageError{Row: x.Row, Path: x.Path, Err: err}
			if opt.strict {
				return ie
			}
			cur.failures = append(cur.failures, Failure{Row: x.Row, Err: err.Error()})
			return nil
		}
		x.Image = nil
		cur.samples = append(cur.samples, x.Sample)
		if len(cur.samples) == opt.size {
			return send()
		}
		return nil
	})
	switch {
	case errors.Is(err, errStop):
		return ctx.Err()
	case err != nil:
		return err
	case len(cur.samples)+len(cur.failures) > 0:
		if send() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// preprocessInput decodes x if needed and writes its tensor to dst. A
// sample the source could not read (Err set) fails with that error.
func (c *Classifier) preprocessInput(x input, dst []float32) error {
	if x.Err != nil {
		return x.Err
	}
	img := x.img
	if img == nil {
		var err error
		if img, err = imageproc.Decode(x.Image); err != nil {
			return err
		}
	}
	return c.Model.Preprocess.Preprocess(img, dst)
}

// embedBatches runs the batched path: prepare in a goroutine, the image
// tower in the caller's, overlapping the two. emit receives each batch with
// the raw image embedding of each of its samples, in input order. When
// embedBatches returns, the producer has stopped and in is no longer in use.
func (c *Classifier) embedBatches(ctx context.Context, in inputs, opt batchOptions, emit func(b prepared, embeds [][]float32) error) error {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(chan prepared, 1)
	done := make(chan error, 1)
	go func() {
		defer close(out)
		done <- c.prepare(pctx, in, opt, out)
	}()
	err := func() error {
		for b := range out {
			var embeds [][]float32
			if len(b.samples) > 0 {
				var err error
				if embeds, err = c.image.Embed(b.pixels, len(b.samples), c.h, c.w); err != nil {
					return err
				}
				if len(embeds) != len(b.samples) {
					return fmt.Errorf("image tower returned %d embeddings for %d images", len(embeds), len(b.samples))
				}
			}
			if err := emit(b, embeds); err != nil {
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
