package zsic

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zsic/zsic/zsic/progress"
)

// EvalOptions configures Evaluate.
type EvalOptions struct {
	// Classes are the label names, by label id; prompts use them with "_"
	// read as a space.
	Classes []string
	// Template is the prompt template; "" means DefaultTemplate.
	Template string
	// Prompts, when not nil, are each class's prompts, by label id; the
	// embeddings of a class's prompts are ensembled (see Ensemble). They
	// replace Template.
	Prompts [][]string
	// Labels, when not nil, are class embeddings made beforehand (a saved
	// head, see package head), one per class; the text tower is not run.
	Labels *Labels
	// BatchSize is the number of images the image tower runs at once;
	// zero means DefaultBatchSize. Prompts go through the text tower in
	// batches of their own (TextBatchSize), whatever BatchSize is.
	BatchSize int
	// Strict makes an unreadable or undecodable image fatal instead of
	// counted.
	Strict bool
	// Progress, when set, is told after each batch how many rows are done
	// (task "eval", in progress.Items), and last when the run ends.
	Progress progress.Func
	// Batch, when set, is called after each batch with the predictions it
	// made and the rows it skipped, in row order (e.g. to save them as the
	// run goes); an error ends the run.
	Batch func(preds []Prediction, failures []Failure) error
}

// Prediction is one sample's outcome: its row, true label, and the five best
// labels with their scores (as the pipeline reports them).
type Prediction struct {
	Row    int       `json:"index"`
	Label  int       `json:"label"`
	Top5   []int     `json:"top5"`
	Scores []float64 `json:"scores"`
}

// Metrics are accuracies in percent.
type Metrics struct {
	Top1               float64 `json:"top1_accuracy"`
	Top5               float64 `json:"top5_accuracy"`
	MeanPerClassRecall float64 `json:"mean_per_class_recall"`
}

// Failure is a row whose image could not be used.
type Failure struct {
	Row int    `json:"row"`
	Err string `json:"error"`
}

// Result is the outcome of Evaluate.
type Result struct {
	Metrics     Metrics
	Samples     int           // rows scored
	Failures    []Failure     // rows skipped, in order
	Predictions []Prediction  // one per scored row, in row order
	TextEncode  time.Duration // embedding the prompts
	ImageEncode time.Duration // reading, decoding, preprocessing and embedding the images
	Timings     Timings       // where the time went, stage by stage
	Workers     int           // decode/preprocess goroutines the run used
	Threads     int           // intra-op threads of each tower; 0: ONNX Runtime's choice
	Streams     int           // image-tower runs in flight at once
}

// PerImage returns the mean image time per scored sample.
func (r *Result) PerImage() time.Duration {
	if r.Samples == 0 {
		return 0
	}
	return r.ImageEncode / time.Duration(r.Samples)
}

// Evaluate classifies the given rows of src among opt.Classes and measures
// top-1 and top-5 accuracy and mean per-class recall. The prompts are
// embedded once; images go through the batched path Classify uses, read,
// decoded and preprocessed in one goroutine while the previous batch runs
// through the image tower. An image that cannot be decoded is a Failure, or
// an *ImageError when opt.Strict. src is no longer in use when Evaluate
// returns.
func (c *Classifier) Evaluate(ctx context.Context, src Source, rows []int, opt EvalOptions) (res *Result, err error) {
	if len(opt.Classes) == 0 {
		return nil, ErrNoClasses
	}
	if len(rows) == 0 {
		return nil, errors.New("no rows to evaluate: the dataset (or its selection) is empty")
	}
	if err := CheckTemplate(opt.Template); err != nil {
		return nil, err
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultBatchSize
	}
	if opt.BatchSize > MaxBatchSize {
		return nil, fmt.Errorf("batch size %d: want at most %d", opt.BatchSize, MaxBatchSize)
	}
	// A batch never needs to hold more than the rows there are.
	opt.BatchSize = min(opt.BatchSize, len(rows))
	if bytes := int64(opt.BatchSize) * 3 * int64(c.h) * int64(c.w) * 4; bytes > maxBatchBytes {
		return nil, fmt.Errorf("batch size %d: a batch of %d×%d images would take %d MiB; want at most %d MiB (use a smaller batch size)",
			opt.BatchSize, c.h, c.w, bytes>>20, maxBatchBytes>>20)
	}
	task := progress.Update{Task: "eval", Unit: progress.Items, Total: int64(len(rows))}
	defer func() {
		task.Final, task.Err = true, err
		opt.Progress.Report(task)
	}()
	names := make([]string, len(opt.Classes))
	for i, n := range opt.Classes {
		names[i] = PromptName(n)
	}
	res = &Result{}
	start := time.Now()
	labels, err := c.classLabels(names, opt)
	if err != nil {
		return nil, fmt.Errorf("encode label prompts: %w", err)
	}
	res.TextEncode = time.Since(start)
	clock := new(stageClock)

	in := func(yield func(input) error) error {
		return src.Read(rows, func(s Sample) error {
			switch {
			case s.Err != nil: // counted or fatal in prepare; its label may be unread
			case s.Label == -1:
				return fmt.Errorf("row %d%s has no label (null or -1): every evaluated row needs a class id (0 to %d)", s.Row, pathNote(s.Path), len(opt.Classes)-1)
			case s.Label < 0 || s.Label >= len(opt.Classes):
				return fmt.Errorf("row %d%s: label %d is not a class id (the dataset has %d classes, 0 to %d)", s.Row, pathNote(s.Path), s.Label, len(opt.Classes), len(opt.Classes)-1)
			}
			return yield(input{Sample: s})
		})
	}
	start = time.Now()
	var sc scratch
	err = c.embedBatches(ctx, in, batchOptions{size: opt.BatchSize, strict: opt.Strict, workers: c.workers, streams: c.streams, clock: clock}, func(b prepared, embeds [][]float32) error {
		res.Failures = append(res.Failures, b.failures...)
		if d := len(labels.Embeds[0]); len(embeds) > 0 && len(embeds[0]) != d {
			return fmt.Errorf("the image encoder gives %d-value embeddings, the class embeddings have %d", len(embeds[0]), d)
		}
		first := len(res.Predictions)
		// The batch's top-5 labels and scores share two arrays.
		labels5, scores5 := make([]int, 0, 5*len(b.samples)), make([]float64, 0, 5*len(b.samples))
		for i, s := range b.samples {
			scores, err := c.scoreChecked(&sc, embeds[i], labels, "row", s.Row)
			if err != nil {
				return err
			}
			sc.top = topKInto(sc.top, scores, 5)
			at := len(labels5)
			for _, r := range sc.top {
				labels5, scores5 = append(labels5, r.Label), append(scores5, r.Score)
			}
			res.Predictions = append(res.Predictions, Prediction{Row: s.Row, Label: s.Label,
				Top5: labels5[at:len(labels5):len(labels5)], Scores: scores5[at:len(scores5):len(scores5)]})
		}
		if opt.Batch != nil && len(b.samples)+len(b.failures) > 0 {
			if err := opt.Batch(res.Predictions[first:], b.failures); err != nil {
				return err
			}
		}
		task.Done = int64(len(res.Predictions) + len(res.Failures))
		opt.Progress.Report(task)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.ImageEncode = time.Since(start)
	res.Timings = clock.timings()
	res.Timings.TextTower = res.TextEncode
	res.Workers, res.Threads, res.Streams = c.workers, c.threads, c.streams
	res.Samples = len(res.Predictions)
	if res.Samples == 0 && len(res.Failures) > 0 {
		return nil, fmt.Errorf("no image could be scored (%d failed; first: row %d: %s)", len(res.Failures), res.Failures[0].Row, res.Failures[0].Err)
	}
	res.Metrics = Measure(res.Predictions, len(opt.Classes))
	return res, nil
}

// MaxBatchSize bounds EvalOptions.BatchSize.
const MaxBatchSize = 1 << 16

// maxBatchBytes bounds the pixel buffer of one batch.
const maxBatchBytes = 4 << 30

// pathNote describes a sample's stored path for messages: " (path)", or
// "" when the row has none (most parquet rows).
func pathNote(path string) string {
	if path == "" {
		return ""
	}
	return " (" + path + ")"
}

// PromptName returns class as it goes into a prompt: underscores become
// spaces ("maple_tree" -> "maple tree"), as winml-cli does.
func PromptName(class string) string {
	return strings.ReplaceAll(class, "_", " ")
}

// Measure computes the metrics of predictions over numClasses classes: the
// share of samples whose label is first, or among the first five, and the
// mean over the classes present of the share of their samples ranked first.
func Measure(preds []Prediction, numClasses int) Metrics {
	var m Metrics
	if len(preds) == 0 {
		return m
	}
	seen := make([]int, numClasses)
	hit := make([]int, numClasses)
	var top1, top5 int
	for _, p := range preds {
		seen[p.Label]++
		for k, l := range p.Top5 {
			if l == p.Label {
				top5++
				if k == 0 {
					top1++
					hit[p.Label]++
				}
				break
			}
		}
	}
	n := float64(len(preds))
	m.Top1 = 100 * float64(top1) / n
	m.Top5 = 100 * float64(top5) / n
	var classes int
	for c, s := range seen {
		if s > 0 {
			classes++
			m.MeanPerClassRecall += float64(hit[c]) / float64(s)
		}
	}
	m.MeanPerClassRecall *= 100 / float64(classes)
	return m
}
