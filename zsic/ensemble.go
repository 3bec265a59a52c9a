package zsic

import (
	"fmt"
	"math"
)

// Ensemble combines the raw text embeddings of each class's prompts into one
// unit-length class embedding, as open_clip and CLIP_benchmark build their
// zero-shot heads: L2-normalize each prompt's embedding, take their mean,
// L2-normalize the mean. rows holds the prompts of class 0, then those of
// class 1, and so on; counts[i] is how many rows class i has. A class with
// a single prompt gets that prompt's normalized embedding exactly (the
// second normalization is the identity up to rounding), so one template
// scores as EncodeLabels does.
func Ensemble(rows [][]float32, counts []int) ([][]float32, error) {
	total := 0
	for i, n := range counts {
		if n <= 0 {
			return nil, fmt.Errorf("ensemble: class %d has %d prompts", i, n)
		}
		total += n
	}
	if total != len(rows) {
		return nil, fmt.Errorf("ensemble: %d embeddings for %d prompts", len(rows), total)
	}
	out := make([][]float32, len(counts))
	at := 0
	for i, n := range counts {
		group := rows[at : at+n]
		at += n
		if n == 1 {
			out[i] = Normalize(group[0])
			continue
		}
		dim := len(group[0])
		mean := make([]float64, dim)
		for k, r := range group {
			if len(r) != dim {
				return nil, fmt.Errorf("ensemble: class %d: prompt %d has %d values, prompt 0 has %d", i, k, len(r), dim)
			}
			for j, x := range Normalize(r) {
				mean[j] += float64(x)
			}
		}
		var ss float64
		for j := range mean {
			mean[j] /= float64(n)
			ss += mean[j] * mean[j]
		}
		norm := math.Sqrt(ss)
		v := make([]float32, dim)
		if norm > 0 {
			for j, x := range mean {
				v[j] = float32(x / norm)
			}
		}
		out[i] = v
	}
	return out, nil
}

// EncodeClasses embeds every prompt of every class in one pass, batchSize
// prompts a run (all prompts padded together, as EmbedTexts does), and
// ensembles each class's prompts (see Ensemble). prompts[i] are the prompts
// of names[i].
func (c *Classifier) EncodeClasses(names []string, prompts [][]string, batchSize int) (*Labels, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("no candidate labels")
	}
	if len(prompts) != len(names) {
		return nil, fmt.Errorf("%d prompt lists for %d labels", len(prompts), len(names))
	}
	var flat []string
	counts := make([]int, len(prompts))
	for i, p := range prompts {
		flat = append(flat, p...)
		counts[i] = len(p)
	}
	rows, err := c.EmbedTexts(flat, batchSize)
	if err != nil {
		return nil, err
	}
	embeds, err := Ensemble(rows, counts)
	if err != nil {
		return nil, err
	}
	return &Labels{Names: names, Embeds: embeds}, nil
}

// classLabels returns the class embeddings Evaluate scores against: opt's
// Labels, the ensembles of opt's Prompts, or names in opt's Template.
func (c *Classifier) classLabels(names []string, opt EvalOptions) (*Labels, error) {
	switch {
	case opt.Labels != nil:
		if len(opt.Labels.Embeds) != len(names) {
			return nil, fmt.Errorf("%d class embeddings for %d classes", len(opt.Labels.Embeds), len(names))
		}
		return opt.Labels, nil
	case opt.Prompts != nil:
		if len(opt.Prompts) != len(names) {
			return nil, fmt.Errorf("prompts for %d classes, the dataset has %d", len(opt.Prompts), len(names))
		}
		return c.EncodeClasses(names, opt.Prompts, TextBatchSize)
	}
	return c.EncodeLabels(names, opt.Template, TextBatchSize)
}
