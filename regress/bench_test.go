package regress_test

import (
	"context"
	"fmt"
	"image"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/regress"
	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/imageproc"
)

// benchBatches are the batch sizes BenchmarkImageLatency measures.
var benchBatches = []int{1, regress.BatchSize}

// BenchmarkImageLatency measures the image path of `zsic eval` — reading,
// decoding, preprocessing and embedding, as Classifier.Evaluate runs it —
// for one batch per iteration, at batch 1 and the suite's batch size, on
// the suite's device (ZSIC_DEVICE), one batch at a time on every core
// (zsic.LatencySplit). ms/image and images/s are warm, from
// Evaluate's own image timing; ns/op also counts the prompt encoding each
// Evaluate call does first. Each sub-benchmark opens the model afresh and
// reports its cold start apart: open-ms, creating both sessions (graph
// partitioning and compilation for the execution provider), and
// cold-ms/image, the first Evaluate's image time per image.
// tower-ms/image is the image tower's warm run alone, the per-image
// device latency. Where the suite measures placement (off the CPU, or with
// ZSIC_PLACEMENT=1), ep-nodes counts the image tower's nodes that ran on
// the device's execution provider and cpu-nodes those ONNX Runtime left
// to the CPU, from a profiling session apart from the timed runs.
func BenchmarkImageLatency(b *testing.B) {
	for _, c := range regress.Cases() {
		for _, n := range benchBatches {
			b.Run(benchName(b, c, fmt.Sprintf("batch=%d", n)), func(b *testing.B) {
				s := suite(b)
				start := time.Now()
				clf, err := s.OpenWith(c, zsic.LatencySplit(zsic.Cores()).Options(zsic.Options{}))
				skipAbsent(b, err)
				require.NoError(b, err)
				defer clf.Close()
				open := time.Since(start)
				rows, _ := s.Sample(0)
				rows = rows[:n]
				opt := s.EvalOptions()
				opt.BatchSize = n
				cold, err := clf.Evaluate(context.Background(), s.Source(), rows, opt)
				require.NoError(b, err)
				var spent time.Duration
				var images int
				for b.Loop() {
					res, err := clf.Evaluate(context.Background(), s.Source(), rows, opt)
					require.NoError(b, err)
					spent += res.ImageEncode
					images += res.Samples
				}
				tower, _ := clf.TowerStats()
				b.ReportMetric(1000*spent.Seconds()/float64(images), "ms/image")
				b.ReportMetric(float64(images)/spent.Seconds(), "images/s")
				b.ReportMetric(1000*open.Seconds(), "open-ms")
				b.ReportMetric(1000*cold.ImageEncode.Seconds()/float64(cold.Samples), "cold-ms/image")
				b.ReportMetric(1000*tower.WarmPerItem().Seconds(), "tower-ms/image")
				if p := placement(b, c, clf); p != nil {
					img := p[zsic.ImageEncoder]
					b.ReportMetric(float64(img.OnDevice()), "ep-nodes")
					b.ReportMetric(float64(img.Fallback()), "cpu-nodes")
				}
			})
		}
	}
}

// benchName names a case's benchmark: the case, the device as a
// key=value part (benchstat -col /device compares devices), then parts.
func benchName(b *testing.B, c regress.Case, parts ...string) string {
	return strings.Join(append([]string{c.Name(), "device=" + testEnv(b).Device()}, parts...), "/")
}

// promptNames returns the suite's class names as prompts use them.
func promptNames(s *regress.Suite) []string {
	names := make([]string, len(s.Classes()))
	for i, n := range s.Classes() {
		names[i] = zsic.PromptName(n)
	}
	return names
}

// BenchmarkTextEncode measures embedding the 100 CIFAR-100 prompts, as
// Evaluate does once per run.
func BenchmarkTextEncode(b *testing.B) {
	for _, c := range regress.Cases() {
		b.Run(benchName(b, c), func(b *testing.B) {
			clf := open(b, c)
			s := suite(b)
			names := promptNames(s)
			for b.Loop() {
				_, err := clf.EncodeLabels(names, zsic.DefaultTemplate, regress.BatchSize)
				require.NoError(b, err)
			}
			b.ReportMetric(1000*b.Elapsed().Seconds()/float64(b.N*len(names)), "ms/prompt")
		})
	}
}

// BenchmarkPreprocess measures decoding and preprocessing one CIFAR-100
// image with each case's image processor.
func BenchmarkPreprocess(b *testing.B) {
	for _, c := range regress.Cases() {
		if c.Variant != "" { // the same processor as the fp32 case
			continue
		}
		b.Run(c.Name(), func(b *testing.B) {
			s := suite(b)
			m, err := s.LoadModel(c)
			skipAbsent(b, err)
			require.NoError(b, err)
			rows, _ := s.Sample(regress.BatchSize)
			var imgs [][]byte
			require.NoError(b, s.Source().Read(rows, func(smp dataset.Sample) error {
				imgs = append(imgs, smp.Image)
				return nil
			}))
			h, w := m.Preprocess.OutputSize()
			dst := make([]float32, 3*h*w)
			i := 0
			for b.Loop() {
				img, err := imageproc.Decode(imgs[i%len(imgs)])
				require.NoError(b, err)
				require.NoError(b, m.Preprocess.Preprocess(img, dst))
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}

// BenchmarkPipelineStyle measures one image classified the way Hugging
// Face's ZeroShotImageClassificationPipeline works, with the same towers:
// each call tokenizes and embeds every candidate prompt again, then embeds
// the one image. Compare its ms/image with BenchmarkImageLatency's, where the
// prompts are embedded once per run.
func BenchmarkPipelineStyle(b *testing.B) {
	for _, c := range regress.Cases() {
		b.Run(benchName(b, c), func(b *testing.B) {
			clf := open(b, c)
			s := suite(b)
			names := promptNames(s)
			rows, _ := s.Sample(regress.BatchSize)
			var imgs [][]byte
			require.NoError(b, s.Source().Read(rows, func(smp dataset.Sample) error {
				imgs = append(imgs, smp.Image)
				return nil
			}))
			i := 0
			for b.Loop() {
				img, err := imageproc.Decode(imgs[i%len(imgs)])
				require.NoError(b, err)
				labels, err := clf.EncodeLabels(names, zsic.DefaultTemplate, 0)
				require.NoError(b, err)
				_, err = clf.Classify(context.Background(), []image.Image{img}, labels)
				require.NoError(b, err)
				i++
			}
			b.ReportMetric(1000*b.Elapsed().Seconds()/float64(b.N), "ms/image")
		})
	}
}
