package regress_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/regress"
	"github.com/zsic/zsic/zsic"
)

// TestDeterminism checks that predictions, scores included, are the same
// bytes whatever the number of decode workers, ONNX Runtime threads,
// image-tower streams and image batch size. The int8 towers are held to the same for workers and
// threads and streams at the suite's batch size only: their DynamicQuantizeLinear takes
// one scale over the whole batch, so another batch size is another
// computation (as in any quantize_dynamic export).
func TestDeterminism(t *testing.T) {
	type run struct{ threads, workers, streams, batch int }
	runs := []run{{1, 1, 1, regress.BatchSize}, {2, 4, 1, regress.BatchSize}, {3, 2, 3, regress.BatchSize}, {1, 2, 2, regress.BatchSize},
		{1, 3, 2, 1}, {2, 2, 3, 7}, {2, 1, 1, 13}}
	s := suite(t)
	rt, err := zsic.NewRuntime(testEnv(t).Runtime)
	require.NoError(t, err)
	defer rt.Close()
	byName := map[string]regress.Case{}
	for _, c := range regress.Cases() {
		byName[c.Name()] = c
	}
	for _, name := range []string{"CLIP/tiny-clip/fp32", "CLIP/tiny-clip/int8", "SigLIP/tiny-siglip/fp32", "SigLIP/tiny-siglip/int8",
		"CLIP/twin/openai/clip-vit-base-patch32"} {
		c := byName[name]
		t.Run(name, func(t *testing.T) {
			m, err := s.LoadModel(c)
			require.NoError(t, err)
			rows, _ := s.Sample(96) // three batches of 32: enough for workers to finish out of order
			var want []byte
			for _, r := range runs {
				if c.Variant != "" && r.batch != regress.BatchSize {
					continue
				}
				clf, err := zsic.Open(rt, m, zsic.Options{Threads: r.threads, Workers: r.workers, Streams: r.streams})
				require.NoError(t, err)
				opt := s.EvalOptions()
				opt.BatchSize = r.batch
				res, err := clf.Evaluate(context.Background(), s.Source(), rows, opt)
				require.NoError(t, clf.Close())
				require.NoError(t, err)
				require.Equal(t, r.workers, res.Workers)
				require.Equal(t, r.streams, res.Streams)
				got, err := json.Marshal(res.Predictions)
				require.NoError(t, err)
				if want == nil {
					want = got
					continue
				}
				require.Equal(t, string(want), string(got), fmt.Sprintf("%d threads, %d workers, %d streams, batch %d", r.threads, r.workers, r.streams, r.batch))
			}
		})
	}
}
