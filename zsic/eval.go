package zsic

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/imageproc"
)

// EvalOptions configures Evaluate.
type EvalOptions struct {
	// Classes are the label names, by label id; prompts use them with "_"
	// read as a space.
	Classes []string
	// Template is the prompt template; "" means DefaultTemplate.
	Template string
	// BatchSize is the number of images (and prompts) a tower runs at once;
	// zero means 32.
	BatchSize int
	// Strict makes an unreadable or undecodable image fatal instead of
	// counted.
	Strict bool
	// Progress, when set, is called after each batch with the rows done.
	Progress func(done, total int)
}

// Prediction is one sample's outcome: its row, true label, and the five best
// labels with their scores (as the pipeline reports them).
type Prediction struct {
	Index  int       `json:"index"`
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
}

// PerImage returns the mean image time per scored sample.
func (r *Result) PerImage() time.Duration {
	if r.Samples == 0 {
		return 0
	}
	return r.ImageEncode / time.Duration(r.Samples)
}

// batch is a run of preprocessed images ready for the image tower.
type batch struct {
	samples  []dataset.Sample // Image bytes dropped
	pixels   []float32
	failures []Failure // rows skipped since the last batch
	err      error
}

// MaxBatchSize bounds EvalOptions.BatchSize.
const MaxBatchSize = 1 << 16

// maxBatchBytes bounds the pixel buffer of one batch.
const maxBatchBytes = 4 << 30

// Evaluate classifies the given rows of src among opt.Classes and measures
// top-1 and top-5 accuracy and mean per-class recall. The prompts are
// embedded once; images are read, decoded and preprocessed in one goroutine
// while the previous batch runs through the image tower.
func (c *Classifier) Evaluate(ctx context.Context, src dataset.Source, rows []int, opt EvalOptions) (*Result, error) {
	if len(opt.Classes) == 0 {
		return nil, dataset.ErrNoClasses
	}
	if len(rows) == 0 {
		return nil, errors.New("no rows to evaluate: the dataset (or its selection) is empty")
	}
	if err := CheckTemplate(opt.Template); err != nil {
		return nil, err
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 32
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
	names := make([]string, len(opt.Classes))
	for i, n := range opt.Classes {
		names[i] = dataset.PromptName(n)
	}
	res := &Result{}
	start := time.Now()
	labels, err := c.EncodeLabels(names, opt.Template, opt.BatchSize)
	if err != nil {
		return nil, fmt.Errorf("encode label prompts: %w", err)
	}
	res.TextEncode = time.Since(start)

	ctx, cancel := context.WithCancel(ctx)
	batches := make(chan batch, 1)
	go c.readBatches(ctx, src, rows, opt, batches)
	defer func() {
		// Stop the reader and wait for it, so that src is no longer in use
		// when Evaluate returns, even on an early error.
		cancel()
		for range batches {
		}
	}()

	start = time.Now()
	var done int
	for b := range batches {
		if b.err != nil {
			return nil, b.err
		}
		res.Failures = append(res.Failures, b.failures...)
		if len(b.samples) == 0 {
			continue
		}
		embeds, err := c.EmbedPixels(b.pixels, len(b.samples))
		if err != nil {
			return nil, err
		}
		for i, s := range b.samples {
			scores, err := c.scoreChecked(embeds[i], labels, fmt.Sprintf("row %d", s.Row))
			if err != nil {
				return nil, err
			}
			top := TopK(scores, 5)
			p := Prediction{Index: s.Row, Label: s.Label, Top5: make([]int, len(top)), Scores: make([]float64, len(top))}
			for k, r := range top {
				p.Top5[k], p.Scores[k] = r.Label, r.Score
			}
			res.Predictions = append(res.Predictions, p)
		}
		done += len(b.samples)
		if opt.Progress != nil {
			opt.Progress(done+len(res.Failures), len(rows))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.ImageEncode = time.Since(start)
	res.Samples = len(res.Predictions)
	if res.Samples == 0 && len(res.Failures) > 0 {
		return nil, fmt.Errorf("no image could be scored (%d failed; first: row %d: %s)", len(res.Failures), res.Failures[0].Row, res.Failures[0].Err)
	}
	res.Metrics = Score(res.Predictions, len(opt.Classes))
	return res, nil
}

// readBatches reads rows of src, decodes and preprocesses each image, and
// sends them in batches. Undecodable images are reported in the batch's
// failures (or end the run when opt.Strict). It closes out when done.
func (c *Classifier) readBatches(ctx context.Context, src dataset.Source, rows []int, opt EvalOptions, out chan<- batch) {
	defer close(out)
	per := 3 * c.h * c.w
	cur := batch{pixels: make([]float32, 0, opt.BatchSize*per)}
	send := func() bool {
		select {
		case out <- cur:
		case <-ctx.Done():
			return false
		}
		cur = batch{pixels: make([]float32, 0, opt.BatchSize*per)}
		return true
	}
	errStop := errors.New("stop")
	err := src.Read(rows, func(s dataset.Sample) error {
		switch {
		case s.Err != nil: // counted or fatal below; its label may be unread
		case s.Label == -1:
			return fmt.Errorf("row %d%s has no label (null or -1): every evaluated row needs a class id (0 to %d)", s.Row, pathNote(s.Path), len(opt.Classes)-1)
		case s.Label < 0 || s.Label >= len(opt.Classes):
			return fmt.Errorf("row %d%s: label %d is not a class id (the dataset has %d classes, 0 to %d)", s.Row, pathNote(s.Path), s.Label, len(opt.Classes), len(opt.Classes)-1)
		}
		err := s.Err
		n := len(cur.pixels)
		if err == nil {
			cur.pixels = cur.pixels[:n+per]
			var img image.Image
			if img, err = imageproc.Decode(s.Image); err == nil {
				err = c.Preprocess(img, cur.pixels[n:])
			}
		}
		if err != nil {
			cur.pixels = cur.pixels[:n]
			if opt.Strict {
				return fmt.Errorf("row %d%s: %w", s.Row, pathNote(s.Path), err)
			}
			cur.failures = append(cur.failures, Failure{Row: s.Row, Err: err.Error()})
			return nil
		}
		s.Image = nil
		cur.samples = append(cur.samples, s)
		if len(cur.samples) == opt.BatchSize && !send() {
			return errStop
		}
		return nil
	})
	if err == nil && len(cur.samples)+len(cur.failures) > 0 {
		send()
		return
	}
	if err != nil && !errors.Is(err, errStop) {
		select {
		case out <- batch{err: err}:
		case <-ctx.Done():
		}
	}
}

// pathNote describes a sample's stored path for messages: " (path)", or
// "" when the row has none (most parquet rows).
func pathNote(path string) string {
	if path == "" {
		return ""
	}
	return " (" + path + ")"
}

// Score computes the metrics of predictions over numClasses classes: the
// share of samples whose label is first, or among the first five, and the
// mean over the classes present of the share of their samples ranked first.
func Score(preds []Prediction, numClasses int) Metrics {
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
