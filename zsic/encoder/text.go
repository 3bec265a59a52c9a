package encoder

import (
	"fmt"

	ort "github.com/yalue/onnxruntime_go"
)

// Text is a text tower: it maps token ids (with attention_mask and
// position_ids when the graph declares them) to one embedding per text.
type Text struct {
	s *session
}

// textInputs are the inputs a text encoder may declare.
var textInputs = map[string]bool{"input_ids": true, "attention_mask": true, "position_ids": true}

// OpenText loads the text encoder at path on rt. It feeds input_ids, and
// attention_mask and position_ids when declared, as int64 or int32; its
// embedding output is text_embeds, else pooler_output.
func OpenText(rt *Runtime, path string, opt Options) (*Text, error) {
	return openText(rt, path, opt, "")
}

// openText is OpenText, profiling the session when profile is not ""
// (see openSession).
func openText(rt *Runtime, path string, opt Options, profile string) (*Text, error) {
	accept := func(in IO) error {
		if !textInputs[in.Name] {
			return fmt.Errorf("unknown input (want input_ids, attention_mask or position_ids)")
		}
		if in.Type != "int64" && in.Type != "int32" {
			return fmt.Errorf("want int64 or int32")
		}
		if len(in.Shape) != 2 {
			return fmt.Errorf("want shape [batch, sequence]")
		}
		return nil
	}
	s, err := openSession(rt, path, "text encoder", opt, profile, []string{"text_embeds", "pooler_output"}, accept)
	if err != nil {
		return nil, err
	}
	if _, ok := s.input("input_ids"); !ok {
		s.Close()
		return nil, fmt.Errorf("load text encoder %s: no input_ids input; the graph has %s", path, listIO(s.inputs))
	}
	return &Text{s: s}, nil
}

// input returns the fed input called name.
func (s *session) input(name string) (IO, bool) {
	for _, in := range s.feed {
		if in.Name == name {
			return in, true
		}
	}
	return IO{}, false
}

// Inputs returns the graph's inputs.
func (e *Text) Inputs() []IO { return e.s.inputs }

// Outputs returns the graph's outputs.
func (e *Text) Outputs() []IO { return e.s.outputs }

// Output returns the output whose rows Embed returns.
func (e *Text) Output() IO { return e.s.out }

// SeqLen returns the sequence length the graph fixes, or 0 if dynamic. Pad
// token ids to it so that batches fit.
func (e *Text) SeqLen() int {
	in, _ := e.s.input("input_ids")
	return max(int(in.Shape[1]), 0)
}

// BatchSize returns the graph's fixed batch size, or 0 if it is dynamic.
func (e *Text) BatchSize() int {
	in, _ := e.s.input("input_ids")
	return fixedBatch(in)
}

// Embed runs a padded batch of texts, given as rows of token ids and their
// attention mask (1 for a token, 0 for padding), every row the same length,
// and returns one embedding per text. Like Image.Embed it may be called from
// several goroutines at once.
func (e *Text) Embed(ids, mask [][]int64) ([][]float32, error) {
	n, seq := len(ids), 0
	if n > 0 {
		seq = len(ids[0])
	}
	if n == 0 || seq == 0 {
		return nil, fmt.Errorf("text encoder %s: empty batch", e.s.path)
	}
	if fixed := e.SeqLen(); fixed > 0 && fixed != seq {
		return nil, fmt.Errorf("text encoder %s: batch has %d tokens a row, the graph wants %d", e.s.path, seq, fixed)
	}
	if len(mask) != n {
		return nil, fmt.Errorf("text encoder %s: %d rows of ids but %d of mask", e.s.path, n, len(mask))
	}
	flatIDs, flatMask := flatten(ids, seq), flatten(mask, seq)
	if flatIDs == nil || flatMask == nil {
		return nil, fmt.Errorf("text encoder %s: rows of the batch differ in length", e.s.path)
	}
	pos := make([]int64, n*seq)
	for i := range pos {
		pos[i] = int64(i % seq)
	}
	return chunked(n, e.BatchSize(), func(start, count, size int) ([][]float32, error) {
		shape := ort.NewShape(int64(size), int64(seq))
		values := make([]ort.Value, 0, len(e.s.feed))
		defer func() {
			for _, v := range values {
				v.Destroy()
			}
		}()
		for _, in := range e.s.feed {
			src := flatIDs
			switch in.Name {
			case "attention_mask":
				src = flatMask
			case "position_ids":
				src = pos
			}
			v, err := intTensor(in.Type, shape, padRows(src[start*seq:(start+count)*seq], seq, size))
			if err != nil {
				return nil, fmt.Errorf("text encoder %s: %w", e.s.path, err)
			}
			values = append(values, v)
		}
		return e.s.run(values, size)
	})
}

// Close releases the session.
func (e *Text) Close() error { return e.s.Close() }

// flatten joins rows of length seq, or returns nil if one differs.
func flatten(rows [][]int64, seq int) []int64 {
	out := make([]int64, 0, len(rows)*seq)
	for _, r := range rows {
		if len(r) != seq {
			return nil
		}
		out = append(out, r...)
	}
	return out
}

// intTensor makes an int64 or int32 tensor of data.
func intTensor(typ string, shape ort.Shape, data []int64) (ort.Value, error) {
	if typ == "int64" {
		return ort.NewTensor(shape, data)
	}
	d32 := make([]int32, len(data))
	for i, v := range data {
		d32[i] = int32(v)
	}
	return ort.NewTensor(shape, d32)
}
