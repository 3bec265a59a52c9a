package zsic

import (
	"cmp"
	"math"
	"slices"
)

// ScoreKind is how a model turns logits into the scores it reports.
type ScoreKind string

// Score kinds.
const (
	Softmax ScoreKind = "softmax" // CLIP: a softmax over the labels
	Sigmoid ScoreKind = "sigmoid" // SigLIP: an independent sigmoid per label
	Cosine  ScoreKind = "cosine"  // no logit scale known: the cosine itself
)

// Scoring turns the cosine similarity of an image and a label prompt into
// the label's score: logits = Scale·cos + Bias, then Kind.
type Scoring struct {
	Kind  ScoreKind
	Scale float64 // the multiplier: exp of the model's logit_scale
	Bias  float64 // logit_bias (SigLIP), else 0
}

// Normalize returns v scaled to unit L2 norm, in float32 as the pipeline
// divides by the norm; a zero vector stays zero.
func Normalize(v []float32) []float32 { return normalizeInto(nil, v) }

// normalizeInto is Normalize writing into dst's array when it has room.
func normalizeInto(dst, v []float32) []float32 {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	out := slices.Grow(dst[:0], len(v))[:len(v)]
	if ss == 0 {
		clear(out)
		return out
	}
	norm := float32(math.Sqrt(ss))
	for i, x := range v {
		out[i] = x / norm
	}
	return out
}

// NormalizeAll normalizes every row of vs.
func NormalizeAll(vs [][]float32) [][]float32 {
	out := make([][]float32, len(vs))
	for i, v := range vs {
		out[i] = Normalize(v)
	}
	return out
}

// Scores returns the score of every label for one image, given normalized
// image and label embeddings.
func (s Scoring) Scores(image []float32, labels [][]float32) []float64 {
	return s.scoresInto(nil, image, labels)
}

// scoresInto is Scores writing into dst's array when it has room.
func (s Scoring) scoresInto(dst []float64, image []float32, labels [][]float32) []float64 {
	logits := slices.Grow(dst[:0], len(labels))[:len(labels)]
	for j, l := range labels {
		var dot float64
		for i := range l {
			dot += float64(image[i]) * float64(l[i])
		}
		logits[j] = dot
		if s.Kind != Cosine {
			logits[j] = s.Scale*dot + s.Bias
		}
	}
	switch s.Kind {
	case Softmax:
		softmax(logits)
	case Sigmoid:
		for j, z := range logits {
			logits[j] = 1 / (1 + math.Exp(-z))
		}
	}
	return logits
}

func softmax(z []float64) {
	if len(z) == 0 {
		return
	}
	m := slices.Max(z)
	var sum float64
	for i, v := range z {
		z[i] = math.Exp(v - m)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
}

// Ranked is a label with its score.
type Ranked struct {
	Label int     // index into the labels
	Score float64 // the label's score
}

// TopK returns the k best labels, best first; equal scores keep label order,
// as the pipeline's stable sort does. k ≤ 0 or above len(scores) means all.
func TopK(scores []float64, k int) []Ranked { return topKInto(nil, scores, k) }

// topKInto is TopK writing into r's array when it has room.
func topKInto(r []Ranked, scores []float64, k int) []Ranked {
	if k > 0 && k < len(scores) {
		return topFew(r, scores, k)
	}
	r = r[:0]
	for i, s := range scores {
		r = append(r, Ranked{Label: i, Score: s})
	}
	slices.SortStableFunc(r, func(a, b Ranked) int { return cmp.Compare(b.Score, a.Score) })
	if k > 0 && k < len(r) {
		r = r[:k]
	}
	return r
}

// topFew is TopK for 0 < k < len(scores), without sorting every label,
// into r's array when it has room: each label goes in after the kept ones
// that score as high (so equal scores keep label order, as the stable sort
// does), or not at all.
func topFew(r []Ranked, scores []float64, k int) []Ranked {
	r = slices.Grow(r[:0], k)
	for i, s := range scores {
		p := len(r)
		for p > 0 && cmp.Compare(s, r[p-1].Score) > 0 {
			p--
		}
		if p == k {
			continue
		}
		if len(r) < k {
			r = append(r, Ranked{})
		}
		copy(r[p+1:], r[p:len(r)-1])
		r[p] = Ranked{Label: i, Score: s}
	}
	return r
}
