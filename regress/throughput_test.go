package regress_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	ort "github.com/yalue/onnxruntime_go"

	"github.com/zsic/zsic/internal/rusage"
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
// cost: bare ONNX Runtime Runs of batches already in tensors, with
// pre-made input and output tensors and the session settings zsic uses
// (its intra-op threads, no spinning), on as many goroutines as zsic keeps
// image-tower runs in flight (its streams): an op is one batch on every
// stream at once, so no stream idles at the end. Its images/s against
// BenchmarkEvaluate's image-images/s, at the same batch size, is zsic's
// overhead.
func BenchmarkFloor(b *testing.B) {
	for _, c := range benchCases() {
		for _, n := range throughputBatches {
			b.Run(benchName(b, c, fmt.Sprintf("batch=%d", n)), func(b *testing.B) {
				clf := open(b, c)    // also initializes ONNX Runtime
				split := clf.Split() // the suite's classifier's

				path := clf.Model.Towers[zsic.ImageEncoder]
				ins, outs, err := ort.GetInputOutputInfo(path)
				require.NoError(b, err)
				i := slices.IndexFunc(outs, func(o ort.InputOutputInfo) bool { return o.Name == "image_embeds" })
				if i < 0 {
					i = slices.IndexFunc(outs, func(o ort.InputOutputInfo) bool { return o.Name == "pooler_output" })
				}
				require.GreaterOrEqual(b, i, 0, "no embedding output in %s", path)
				out := outs[i]
				if len(out.Dimensions) != 2 || out.Dimensions[1] <= 0 || ins[0].DataType != ort.TensorElementDataTypeFloat {
					b.Skipf("output %s %v: no fixed width, or not a float32 input", out.Name, out.Dimensions)
				}
				so, err := ort.NewSessionOptions()
				require.NoError(b, err)
				defer so.Destroy()
				require.NoError(b, so.SetIntraOpNumThreads(split.Threads))
				require.NoError(b, so.SetInterOpNumThreads(1))
				require.NoError(b, so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"))
				s, err := ort.NewDynamicAdvancedSession(path, []string{ins[0].Name}, []string{out.Name}, so)
				require.NoError(b, err)
				defer s.Destroy()
				// A batch of random pixels and an output tensor per stream.
				h, w := clf.ImageSize()
				r := rand.New(rand.NewPCG(1, 2))
				in := make([][]ort.Value, split.Streams)
				res := make([][]ort.Value, split.Streams)
				for k := range split.Streams {
					pixels := make([]float32, n*3*h*w)
					for i := range pixels {
						pixels[i] = r.Float32()*4 - 2
					}
					t, err := ort.NewTensor(ort.NewShape(int64(n), 3, int64(h), int64(w)), pixels)
					require.NoError(b, err)
					defer t.Destroy()
					o, err := ort.NewEmptyTensor[float32](ort.NewShape(int64(n), out.Dimensions[1]))
					require.NoError(b, err)
					defer o.Destroy()
					in[k], res[k] = []ort.Value{t}, []ort.Value{o}
					require.NoError(b, s.Run(in[k], res[k])) // warm up
				}
				usage := rusage.Now()
				b.ResetTimer()
				errs := make([]error, split.Streams)
				var wg sync.WaitGroup
				for k := range split.Streams {
					wg.Go(func() {
						for i := 0; i < b.N && errs[k] == nil; i++ {
							errs[k] = s.Run(in[k], res[k])
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				require.NoError(b, errors.Join(errs...))
				images := float64(b.N * n * split.Streams)
				b.ReportMetric(images/b.Elapsed().Seconds(), "images/s")
				b.ReportMetric(1000*usage.Since().CPU.Seconds()/images, "cpu-ms/image")
			})
		}
	}
}

// BenchmarkEvaluate measures the whole of `zsic eval` on each case's
// sample, from the parquet file's bytes to the predictions: embedding the
// prompts, reading, decoding, preprocessing, the image tower and scoring.
// images/s is over the whole call, image-images/s over its image phase
// (reading, decoding, preprocessing and the image tower, without the
// prompts: what BenchmarkFloor's images/s compares with); the stage metrics add up each stage's
// time over its goroutines, per image; cpu-ms/image is the process's CPU
// time per image, and peak-RSS-MiB the test binary's peak so far.
func BenchmarkEvaluate(b *testing.B) {
	for _, c := range benchCases() {
		for _, n := range throughputBatches {
			b.Run(benchName(b, c, fmt.Sprintf("batch=%d", n)), func(b *testing.B) {
				clf := open(b, c)
				s := suite(b)
				rows, _ := s.Sample(c.Samples)
				opt := s.EvalOptions()
				opt.BatchSize = n
				// Warm up as BenchmarkFloor does: a batch on every stream,
				// so that ONNX Runtime has sized its buffers for this batch
				// size before the timed runs (the cold start is
				// BenchmarkImageLatency's to report).
				warm := rows[:min(len(rows), n*clf.Split().Streams)]
				_, err := clf.Evaluate(context.Background(), s.Source(), warm, opt)
				require.NoError(b, err)
				var images int
				var spent, imagePhase time.Duration
				var stages zsic.Timings
				usage := rusage.Now()
				for b.Loop() {
					start := time.Now()
					res, err := clf.Evaluate(context.Background(), s.Source(), rows, opt)
					require.NoError(b, err)
					spent += time.Since(start)
					images += res.Samples
					imagePhase += res.ImageEncode
					t := res.Timings
					stages.Read += t.Read
					stages.Decode += t.Decode
					stages.Preprocess += t.Preprocess
					stages.ImageTower += t.ImageTower
					stages.TextTower += t.TextTower
					stages.Scoring += t.Scoring
				}
				used := usage.Since()
				per := func(d time.Duration) float64 { return 1000 * d.Seconds() / float64(images) }
				b.ReportMetric(float64(images)/spent.Seconds(), "images/s")
				b.ReportMetric(float64(images)/imagePhase.Seconds(), "image-images/s")
				b.ReportMetric(per(spent), "ms/image")
				b.ReportMetric(per(used.CPU), "cpu-ms/image")
				b.ReportMetric(per(stages.Read), "read-ms/image")
				b.ReportMetric(per(stages.Decode), "decode-ms/image")
				b.ReportMetric(per(stages.Preprocess), "preprocess-ms/image")
				b.ReportMetric(per(stages.ImageTower), "image-tower-ms/image")
				b.ReportMetric(per(stages.TextTower), "text-tower-ms/image")
				b.ReportMetric(per(stages.Scoring), "scoring-ms/image")
				b.ReportMetric(float64(used.PeakRSS)/(1<<20), "peak-RSS-MiB")
			})
		}
	}
}
