package regress

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic"
)

// synth builds a golden of n samples: sample i has label i%10, and its
// top-1 is the label for the first right samples, label+1 after (with the
// label second). It has the Metrics Score computes.
func synth(n, right int) *Golden {
	g := &Golden{Summary: Summary{
		Case:    "CLIP/test/fp32",
		Model:   ModelInfo{Path: "m", Type: "clip", Variant: "fp32", Towers: map[zsic.Role]Tower{zsic.ImageEncoder: {File: "onnx/vision_model.onnx", SHA256: "aa"}}},
		Dataset: DatasetInfo{Name: "d", Split: "test", Manifest: "m.json", ManifestSHA256: "ff", ManifestRows: n},
		Runtime: "1.24.3",
		Samples: n,
	}}
	preds := make([]zsic.Prediction, n)
	for i := range n {
		l := i % 10
		top5 := []int{l, (l + 2) % 10, (l + 3) % 10, (l + 4) % 10, (l + 5) % 10}
		if i >= right {
			top5[0], top5[1] = (l+1)%10, l
		}
		g.Predictions = append(g.Predictions, Record{Row: 3 * i, Pixels: fmt.Sprintf("%016x", i), Label: l, Top5: top5})
		preds[i] = zsic.Prediction{Row: 3 * i, Label: l, Top5: g.Predictions[i].Top5}
	}
	g.Metrics = zsic.Measure(preds, 10)
	return g
}

// rescore recomputes a golden's metrics after its predictions changed.
func rescore(g *Golden) {
	preds := make([]zsic.Prediction, len(g.Predictions))
	for i, r := range g.Predictions {
		preds[i] = zsic.Prediction{Row: r.Row, Label: r.Label, Top5: r.Top5}
	}
	g.Metrics = zsic.Measure(preds, 10)
	g.Samples = len(g.Predictions)
}

// clone deep-copies a golden.
func clone(g *Golden) *Golden {
	c := *g
	c.Predictions = make([]Record, len(g.Predictions))
	for i, r := range g.Predictions {
		r.Top5 = slices.Clone(r.Top5)
		c.Predictions[i] = r
	}
	c.Model.Towers = map[zsic.Role]Tower{}
	for k, v := range g.Model.Towers {
		c.Model.Towers[k] = v
	}
	return &c
}

// flipTop1 makes sample i's top-1 label l.
func flipTop1(g *Golden, i, l int) {
	g.Predictions[i].Top5[0] = l
}

func TestCompare(t *testing.T) {
	band := Band{Top1: 2, Top5: 3, MinAgreement: 97, Reason: "test band"}
	golden := synth(1000, 300) // top-1 30%
	tests := []struct {
		name      string
		mutate    func(g *Golden)
		ok        bool
		flips     int
		agreement float64
		contains  []string
	}{
		{"identical", func(g *Golden) {}, true, 0, 100, []string{"matches its golden", "1000 of 1000 = 100.00%"}},
		{"reordered rows", func(g *Golden) {
			slices.Reverse(g.Predictions)
			for i := range g.Predictions {
				g.Predictions[i].Row = i
			}
		}, true, 0, 100, nil},
		{"few near-tie flips", func(g *Golden) {
			for i := 0; i < 10; i++ { // 10 right → wrong: -1 pt, 99% agreement
				flipTop1(g, i, 9-i%10)
			}
			rescore(g)
		}, true, 10, 99, []string{"10 samples flipped (10 right→wrong, 0 wrong→right, 0 wrong→wrong)"}},
		{"top-1 drop beyond band", func(g *Golden) {
			for i := 0; i < 25; i++ { // -2.5 pts, 97.5% agreement
				flipTop1(g, i, (g.Predictions[i].Label+7)%10)
			}
			rescore(g)
		}, false, 25, 97.5, []string{"REGRESSED", "top-1 accuracy         golden  30.000%  got  27.500%  Δ  -2.500 pts  band ±2 pts  FAIL",
			"first flips (golden top-1 → new top-1): row 0 (label 0): 0 → 7; row 3 (label 1): 1 → 8"}},
		{"agreement below floor with equal accuracy", func(g *Golden) {
			for i := 400; i < 440; i++ { // wrong → another wrong: accuracy unchanged, 96% agreement
				flipTop1(g, i, (g.Predictions[i].Label+5)%10)
			}
			rescore(g)
		}, false, 40, 96, []string{"floor 97%  FAIL: 40 samples flipped (0 right→wrong, 0 wrong→right, 40 wrong→wrong)", "and 32 more"}},
		{"missing sample", func(g *Golden) {
			g.Predictions = g.Predictions[1:]
			rescore(g)
		}, false, 0, 100, []string{"1 golden samples are missing from the run (first: row 0, pixels 0000000000000000)"}},
		{"another sample", func(g *Golden) { g.Dataset.ManifestSHA256 = "ee" }, false, 0, 100, []string{"the sample differs", "make golden"}},
		{"another runtime", func(g *Golden) { g.Runtime = "1.25.0" }, true, 0, 100, []string{"note: ONNX Runtime 1.25.0, the golden was made with 1.24.3"}},
		{"another tower", func(g *Golden) {
			g.Model.Towers[zsic.ImageEncoder] = Tower{File: "onnx/vision_model.onnx", SHA256: "bb"}
		}, false, 0, 100, []string{"problem: tower image-encoder changed: the run's onnx/vision_model.onnx (sha256 bb) is not the golden's onnx/vision_model.onnx (sha256 aa); if the new tower is intended, record it with `make golden`"}},
		{"another tower file, same bytes", func(g *Golden) {
			g.Model.Towers[zsic.ImageEncoder] = Tower{File: "onnx/vision_model_quantized.onnx", SHA256: "aa"}
		}, false, 0, 100, []string{"problem: tower image-encoder changed: the run's onnx/vision_model_quantized.onnx (sha256 aa) is not the golden's onnx/vision_model.onnx"}},
		{"a tower missing", func(g *Golden) {
			delete(g.Model.Towers, zsic.ImageEncoder)
			g.Model.Towers[zsic.TextEncoder] = Tower{File: "onnx/text_model.onnx", SHA256: "cc"}
		}, false, 0, 100, []string{"problem: tower image-encoder changed: the run has none", "problem: tower text-encoder changed: the run's onnx/text_model.onnx (sha256 cc) is not in the golden"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clone(golden)
			tt.mutate(got)
			r := Compare(golden, got, band)
			require.Equal(t, tt.ok, r.OK(), r.String())
			require.Len(t, r.Flips, tt.flips)
			require.InDelta(t, tt.agreement, r.Agreement(), 1e-9)
			for _, s := range tt.contains {
				require.Contains(t, r.String(), s)
			}
		})
	}
}

func TestCompareTop5(t *testing.T) {
	golden := synth(1000, 300)
	got := clone(golden)
	for i := 300; i < 340; i++ { // push the label out of the top 5 of 40 wrong samples
		got.Predictions[i].Top5 = []int{(got.Predictions[i].Label + 1) % 10, 90, 91, 92, 93}
	}
	rescore(got)
	r := Compare(golden, got, Band{Top1: 2, Top5: 3, MinAgreement: 97})
	require.False(t, r.OK())
	require.True(t, r.Deltas[0].OK())
	require.False(t, r.Deltas[1].OK())
	require.InDelta(t, -4, r.Deltas[1].Got-r.Deltas[1].Golden, 1e-9)
	require.True(t, r.AgreementOK())
}

func TestGoldenRoundTrip(t *testing.T) {
	g := synth(3, 2)
	g.Band = Band{Top1: 2, Top5: 3, MinAgreement: 97, Reason: "why"}
	data, err := g.Bytes()
	require.NoError(t, err)
	lines := bytes.Split(data, []byte("\n"))
	require.Equal(t, `  "case": "CLIP/test/fp32",`, string(lines[1]))
	require.Contains(t, string(data), "\n  \"predictions\": [\n    {\"row\":0,\"pixels\":\"0000000000000000\",\"label\":0,\"top5\":[0,2,3,4,5]},\n")
	back, err := DecodeGolden(data)
	require.NoError(t, err)
	require.Equal(t, g, back)
	again, err := back.Bytes()
	require.NoError(t, err)
	require.Equal(t, data, again)

	_, err = DecodeGolden([]byte(`{"case": "x", "samples": 2, "predictions": []}`))
	require.ErrorContains(t, err, "0 predictions for 2 samples")
	_, err = DecodeGolden([]byte(`{"case": "x", "extra": 1}`))
	require.ErrorContains(t, err, `unknown field "extra"`)
}

func TestPair(t *testing.T) {
	fp32 := synth(100, 40)
	int8 := clone(fp32)
	int8.Case = "CLIP/test/int8"
	for i := 0; i < 6; i++ { // 6 right → wrong
		flipTop1(int8, i, (int8.Predictions[i].Label+3)%10)
	}
	for i := 50; i < 52; i++ { // 2 wrong → right
		flipTop1(int8, i, int8.Predictions[i].Label)
	}
	flipTop1(int8, 60, (int8.Predictions[60].Label+4)%10) // wrong → wrong
	p, err := Pair(fp32, int8)
	require.NoError(t, err)
	require.Equal(t, Paired{N: 100, Agree: 91, BothRight: 34, OnlyFirst: 6, OnlySecond: 2, BothWrong: 58}, p)
	a, b := p.Top1()
	require.InDelta(t, 40, a, 1e-9)
	require.InDelta(t, 36, b, 1e-9)
	require.InDelta(t, -4, p.Delta(), 1e-9)
	require.InDelta(t, 91, p.Agreement(), 1e-9)
	require.InEpsilon(t, 0.2890625, p.PValue(), 1e-9) // 2·(1+8+28)/256

	require.NoError(t, QuantBudget{MaxDrop: 4, MinAgreement: 91}.Check(p))
	err = QuantBudget{MaxDrop: 3, MinAgreement: 95}.Check(p)
	require.ErrorContains(t, err, "int8 top-1 is 4.00 pts below fp32 (budget 3.00)")
	require.ErrorContains(t, err, "keeps the top-1 label of 91.00% of samples (floor 95%)")

	table := QuantTable([]QuantRow{{Model: "test", Paired: p}})
	// (2−6)/100 ± 1.96·√(8 − 16/100)/100 = −4 ± 5.488 pts.
	lo, hi := p.DeltaCI95()
	require.InDelta(t, -9.488, lo, 1e-9)
	require.InDelta(t, 1.488, hi, 1e-9)
	require.Contains(t, table, "| test | 100 | 40.0% | 36.0% | -4.0 pts (-9.5 to +1.5) | 91.0% | 6 | 2 | 0.289 |")

	int8.Predictions = int8.Predictions[1:]
	_, err = Pair(fp32, int8)
	require.ErrorContains(t, err, "different samples (1 only in the first, 0 only in the second)")
}
