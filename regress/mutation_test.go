package regress_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/regress"
	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/imageproc"
	"github.com/zsic/zsic/zsic/tokenizer"
)

// mutation is a deliberate bug: a change to the loaded model, or to the
// images the pipeline reads.
type mutation struct {
	name    string
	family  regress.Family                          // "" for both families
	variant string                                  // the cases it breaks: "" the fp32 ones, "quantized" the int8 ones
	model   func(m *zsic.Model)                     // nil: the model as loaded
	source  func(src dataset.Source) dataset.Source // nil: the dataset as is
	problem string                                  // "": it must fail on the metrics; else on a problem saying this
}

// mutations are the bugs the suite must catch.
var mutations = []mutation{
	{name: "no-normalization", model: func(m *zsic.Model) { m.Preprocess.DoNormalize = false }},
	{name: "imagenet-mean-std", model: func(m *zsic.Model) {
		m.Preprocess.Mean = [3]float32{0.485, 0.456, 0.406}
		m.Preprocess.Std = [3]float32{0.229, 0.224, 0.225}
	}},
	{name: "bgr", source: func(src dataset.Source) dataset.Source { return bgrSource{src} }},
	// CLIP pools the text at the end token. (SigLIP pads with its end
	// token to a fixed length, so dropping it changes no id there.)
	{name: "no-end-token", family: regress.CLIP, model: func(m *zsic.Model) { m.Tokenizer = noEndToken{m.Tokenizer} }},
	// SigLIP reads the last position of a max_length-padded sequence; CLIP
	// pads to the longest prompt anyway.
	{name: "pad-to-longest", family: regress.SigLIP, model: func(m *zsic.Model) { m.Tokenizer = padToLongest{m.Tokenizer} }},
	// The quantized variant resolves to the fp32 graph: the int8 build
	// silently replaced by the fp32 one, whose accuracy is within the int8
	// band. The towers' identity catches it.
	{name: "quantized-resolves-to-fp32", variant: "quantized", model: fp32Towers,
		problem: "changed: the run's onnx/vision_model.onnx"},
}

// fp32Towers points a quantized model's towers at its fp32 files.
func fp32Towers(m *zsic.Model) {
	for role, p := range m.Towers {
		m.Towers[role] = strings.Replace(p, "_quantized.onnx", ".onnx", 1)
	}
}

// TestMutations proves the suite's teeth: each deliberate bug makes every
// fixture case of its variant fail Compare against its golden.
func TestMutations(t *testing.T) {
	if updating() {
		t.Skip("-update rewrites the goldens the mutations are compared with; run again without it")
	}
	for _, c := range regress.Cases() {
		if c.Kind != regress.Fixture {
			continue
		}
		for _, mu := range mutations {
			if (mu.family != "" && mu.family != c.Family) || mu.variant != c.Variant {
				continue
			}
			t.Run(c.Name()+"/"+mu.name, func(t *testing.T) {
				golden, band := readGolden(t, c)
				s := suite(t)
				m, err := s.LoadModel(c)
				require.NoError(t, err)
				if mu.model != nil {
					mu.model(m)
				}
				clf, err := s.OpenModel(m)
				require.NoError(t, err)
				defer clf.Close()
				src := s.Source()
				if mu.source != nil {
					src = mu.source(src)
				}
				got, err := s.RunOn(context.Background(), c, clf, src)
				require.NoError(t, err)
				r := regress.Compare(golden, got, band)
				if mu.problem == "" {
					require.Empty(t, r.Problems, "the mutation must fail on the metrics, not the sample")
				} else {
					require.Contains(t, strings.Join(r.Problems, "\n"), mu.problem)
					require.Contains(t, r.String(), "make golden")
				}
				require.False(t, r.OK(), "%s did not catch %s:\n%s", c.Name(), mu.name, r)
				t.Logf("caught:\n%s", r)
				// The wider band a device without its own golden gets
				// must catch it too.
				cross := regress.Compare(golden, got, regress.CrossDeviceBand(c, golden))
				require.False(t, cross.OK(), "the cross-device band of %s did not catch %s:\n%s", c.Name(), mu.name, cross)
			})
		}
	}
}

// noEndToken is a tokenizer that forgets the end-of-text token.
type noEndToken struct{ tokenizer.Tokenizer }

// Encode encodes text and drops a trailing end token.
func (n noEndToken) Encode(text string) []int64 {
	ids := n.Tokenizer.Encode(text)
	if end := n.Padding().EndID; end >= 0 && len(ids) > 0 && ids[len(ids)-1] == end {
		ids = ids[:len(ids)-1]
	}
	return ids
}

// padToLongest is a tokenizer that pads a batch to its longest text
// instead of the model's fixed length.
type padToLongest struct{ tokenizer.Tokenizer }

// Padding returns the tokenizer's padding, not fixed.
func (p padToLongest) Padding() tokenizer.Padding {
	pd := p.Tokenizer.Padding()
	pd.Fixed = false
	return pd
}

// bgrSource is a dataset whose images come with red and blue swapped, as
// an OpenCV-style loader gives them.
type bgrSource struct{ dataset.Source }

// Read reads rows of the dataset, re-encoding each image with its red and
// blue channels swapped.
func (b bgrSource) Read(rows []int, fn func(dataset.Sample) error) error {
	return b.Source.Read(rows, func(s dataset.Sample) error {
		img, err := imageproc.Decode(s.Image)
		if err != nil {
			return fmt.Errorf("row %d: %w", s.Row, err)
		}
		r := img.Bounds()
		out := image.NewNRGBA(r)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				cr, cg, cb, ca := img.At(x, y).RGBA()
				i := out.PixOffset(x, y)
				out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = uint8(cb>>8), uint8(cg>>8), uint8(cr>>8), uint8(ca>>8)
			}
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, out); err != nil {
			return fmt.Errorf("row %d: %w", s.Row, err)
		}
		s.Image = buf.Bytes()
		return fn(s)
	})
}
