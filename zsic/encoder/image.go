package encoder

import (
	"errors"
	"fmt"

	ort "github.com/yalue/onnxruntime_go"
)

// Image is an image tower: it maps pixel_values [batch, 3, height, width] to
// one embedding per image.
type Image struct {
	s *session
}

// OpenImage loads the image encoder at path on rt. Its pixel input must be float32
// or float16 of shape [batch, 3, height, width]; its embedding output is
// image_embeds, else pooler_output.
func OpenImage(rt *Runtime, path string, opt Options) (*Image, error) {
	return openImage(rt, path, opt, "")
}

// openImage is OpenImage, profiling the session when profile is not ""
// (see openSession).
func openImage(rt *Runtime, path string, opt Options, profile string) (*Image, error) {
	accept := func(in IO) error {
		if in.Type != "float32" && in.Type != "float16" {
			return errors.New("want pixel_values as float32 or float16")
		}
		if len(in.Shape) != 4 || (in.Shape[1] > 0 && in.Shape[1] != 3) {
			return errors.New("want shape [batch, 3, height, width]")
		}
		return nil
	}
	s, err := openSession(rt, path, "image encoder", opt, profile, []string{"image_embeds", "pooler_output"}, accept)
	if err != nil {
		return nil, err
	}
	if len(s.feed) != 1 {
		s.Close()
		return nil, fmt.Errorf("load image encoder %s: want one input (pixel_values), the graph has %s", path, listIO(s.inputs))
	}
	return &Image{s: s}, nil
}

// Inputs returns the graph's inputs.
func (e *Image) Inputs() []IO { return e.s.inputs }

// Outputs returns the graph's outputs.
func (e *Image) Outputs() []IO { return e.s.outputs }

// Output returns the output whose rows Embed returns.
func (e *Image) Output() IO { return e.s.out }

// Size returns the input height and width the graph fixes, or zeros where
// they are dynamic.
func (e *Image) Size() (height, width int) {
	sh := e.s.feed[0].Shape
	return max(int(sh[2]), 0), max(int(sh[3]), 0)
}

// BatchSize returns the graph's fixed batch size, or 0 if it is dynamic.
func (e *Image) BatchSize() int { return fixedBatch(e.s.feed[0]) }

// Embed runs n images, given as n consecutive CHW float32 tensors of
// height×width pixels, and returns one embedding per image. A graph with a
// fixed batch size runs in chunks, the last padded.
func (e *Image) Embed(pixels []float32, n, height, width int) ([][]float32, error) {
	per := 3 * height * width
	if n <= 0 || per <= 0 || len(pixels) != n*per {
		return nil, fmt.Errorf("image encoder %s: got %d values for %d images of 3×%d×%d", e.s.path, len(pixels), n, height, width)
	}
	if h, w := e.Size(); (h > 0 && h != height) || (w > 0 && w != width) {
		return nil, fmt.Errorf("image encoder %s: images are %d×%d, the graph wants %d×%d", e.s.path, height, width, h, w)
	}
	in := e.s.feed[0]
	return chunked(n, e.BatchSize(), func(start, count, size int) ([][]float32, error) {
		data := padRows(pixels[start*per:(start+count)*per], per, size)
		shape := ort.NewShape(int64(size), 3, int64(height), int64(width))
		var t ort.Value
		var err error
		if in.Type == "float16" {
			t, err = ort.NewCustomDataTensor(shape, floatsToHalf(data), ort.TensorElementDataTypeFloat16)
		} else {
			t, err = ort.NewTensor(shape, data)
		}
		if err != nil {
			return nil, fmt.Errorf("image encoder %s: %w", e.s.path, err)
		}
		defer t.Destroy()
		return e.s.run([]ort.Value{t}, size)
	})
}

// Close releases the session. Embed may be called from several goroutines
// at once, as ONNX Runtime allows concurrent runs of one session; Close must
// not overlap them.
func (e *Image) Close() error { return e.s.Close() }

// chunked calls run over [0, n) in chunks of batch items (all at once when
// batch is 0), telling run how many items are real (count) and how many the
// tensor must hold (size), and joins the first count rows of each result.
func chunked(n, batch int, run func(start, count, size int) ([][]float32, error)) ([][]float32, error) {
	if batch <= 0 {
		batch = n
	}
	out := make([][]float32, 0, n)
	for start := 0; start < n; start += batch {
		count := min(batch, n-start)
		rows, err := run(start, count, batch)
		if err != nil {
			return nil, err
		}
		out = append(out, rows[:count]...)
	}
	return out, nil
}

// padRows extends data, rows of width per, to size rows by repeating the
// last row.
func padRows[T any](data []T, per, size int) []T {
	if len(data) == size*per {
		return data
	}
	out := make([]T, size*per)
	n := copy(out, data)
	last := data[len(data)-per:]
	for ; n < len(out); n += per {
		copy(out[n:], last)
	}
	return out
}
