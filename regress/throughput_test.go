package regress_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	ort "github.com/yalue/onnxruntime_go"

	"github.com/zsic/zsic/regress"
	"github.com/zsic/zsic/zsic"
)

// throughputBatches are the batch sizes of BenchmarkFloor and
// BenchmarkEvaluate.
var throughputBatches = []int{1, regress.BatchSize}

// benchCases returns the suite's cases and the bench models under
// $ZSIC_BENCH_MODELS.
func benchCases() []regress.Case {
	return append(regress.Cases(), regress.BenchCases(os.Getenv(regress.BenchModelsEnv))...)
}

// BenchmarkFloor measures the least a run of each case's image tower can
// cost: a bare ONNX Runtime Run of a batch already in a tensor, with
// pre-made input and output tensors and the session options zsic uses. Its
// images/s against BenchmarkEvaluate's, at the same batch size, is zsic's
// overhead.
func BenchmarkFloor(b *testing.B) {
	for _, c := range benchCases() {
		for _, n := range throughputBatches {
			b.Run(fmt.Sprintf("%s/batch=%d", c.Name(), n), func(b *testing.B) {
				clf := open(b, c) // also initializes ONNX Runtime
				img, _ := clf.Encoders()
				out := img.Output()
				if len(out.Shape) != 2 || out.Shape[1] <= 0 {
					b.Skipf("output %s has no fixed width", out)
				}
				h, w := clf.ImageSize()
				pixels := make([]float32, n*3*h*w)
				r := rand.New(rand.NewPCG(1, 2))
				for i := range pixels {
					pixels[i] = r.Float32()*4 - 2
				}
				in, err := ort.NewTensor(ort.NewShape(int64(n), 3, int64(h), int64(w)), pixels)
				require.NoError(b, err)
				defer in.Destroy()
				res, err := ort.NewEmptyTensor[float32](ort.NewShape(int64(n), out.Shape[1]))
				require.NoError(b, err)
				defer res.Destroy()
				so, err := ort.NewSessionOptions()
				require.NoError(b, err)
				defer so.Destroy()
				if t := floorThreads(b); t > 0 {
					require.NoError(b, so.SetIntraOpNumThreads(t))
					require.NoError(b, so.SetInterOpNumThreads(1))
				}
				s, err := ort.NewAdvancedSession(clf.Model.Towers[zsic.ImageEncoder], []string{img.Inputs()[0].Name},
					[]string{out.Name}, []ort.Value{in}, []ort.Value{res}, so)
				require.NoError(b, err)
				defer s.Destroy()
				require.NoError(b, s.Run()) // warm up, as Evaluate's prompts warm the text tower
				b.ResetTimer()
				for b.Loop() {
					require.NoError(b, s.Run())
				}
				b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "images/s")
			})
		}
	}
}

// floorThreads returns the intra-op threads the suite's sessions use.
func floorThreads(b *testing.B) int { return testEnv(b).Options.Threads }

// BenchmarkEvaluate measures the whole of `zsic eval` on each case's
// sample, from the parquet file's bytes to the predictions: embedding the
// prompts, reading, decoding, preprocessing, the image tower and scoring.
// images/s is over the whole call; ms/image likewise.
func BenchmarkEvaluate(b *testing.B) {
	for _, c := range benchCases() {
		for _, n := range throughputBatches {
			b.Run(fmt.Sprintf("%s/batch=%d", c.Name(), n), func(b *testing.B) {
				clf := open(b, c)
				s := suite(b)
				rows, _ := s.Sample(c.Samples)
				opt := s.EvalOptions()
				opt.BatchSize = n
				var images int
				var spent time.Duration
				for b.Loop() {
					start := time.Now()
					res, err := clf.Evaluate(context.Background(), s.Source(), rows, opt)
					require.NoError(b, err)
					spent += time.Since(start)
					images += res.Samples
				}
				b.ReportMetric(float64(images)/spent.Seconds(), "images/s")
				b.ReportMetric(1000*spent.Seconds()/float64(images), "ms/image")
			})
		}
	}
}
