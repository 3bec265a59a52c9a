package zsic

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"strings"
	"sync"

	"github.com/zsic/zsic/zsic/encoder"
	"github.com/zsic/zsic/zsic/tokenizer"
)

// DefaultTemplate is the pipeline's prompt: {} is replaced by the label.
const DefaultTemplate = "This is a photo of {}."

// TextBatchSize is the most prompts Evaluate runs through the text tower at
// once: all of them, up to this many (a graph with a fixed batch size runs
// its own). Prompts are padded together first, so splitting them changes no
// fp32 embedding.
const TextBatchSize = 256

// DefaultBatchSize is the number of images (and prompts) a tower runs at
// once when Options or EvalOptions give none.
const DefaultBatchSize = 32

// Options configures Open. Zero values take the Runtime's defaults.
type Options struct {
	// Threads is the number of intra-op threads of each tower run; zero
	// means the Runtime's default, else SplitFor's. DefaultSplit suits
	// runs of many batches of a small tower (Evaluate); for one image or
	// batch at a time, LatencySplit(Cores()).Options gives every core to
	// each run.
	Threads int
	// Device is the execution provider (see Devices); "" means the
	// Runtime's default.
	Device string
	// BatchSize is the number of images Classify and EmbedImages run
	// through the image tower at once; zero means DefaultBatchSize.
	BatchSize int
	// Workers is the number of goroutines that decode and preprocess
	// images while the image tower runs; zero means SplitFor's.
	Workers int
	// Streams is the number of image-tower runs in flight at once, each on
	// its own batch; zero means SplitFor's.
	Streams int
}

// imageTower is what the batched path needs of an image encoder;
// *encoder.Image implements it, and tests use fakes.
type imageTower interface {
	Embed(pixels []float32, n, height, width int) ([][]float32, error)
	Size() (height, width int)
	Output() encoder.IO // the embedding output, [batch, dim]
	Close() error
}

// textTower is what the batched path needs of a text encoder;
// *encoder.Text implements it.
type textTower interface {
	Embed(ids, mask [][]int64) ([][]float32, error)
	SeqLen() int
	Output() encoder.IO // the embedding output, [batch, dim]
	Close() error
}

// Classifier is a model with its towers loaded.
//
// Its methods may be called from several goroutines at once: the towers
// are ONNX Runtime sessions, which allow concurrent runs, and the rest of
// the state is read-only once Open returns. Close must not overlap them.
type Classifier struct {
	Model   *Model
	image   imageTower
	text    textTower
	h, w    int // the image tensor size
	batch   int // images per tower run in Classify and EmbedImages
	workers int // decode/preprocess goroutines
	streams int // image-tower runs in flight at once
	threads int // intra-op threads of each tower; 0: ONNX Runtime's choice
	// defaultStreams is set when streams is SplitFor's choice, not the
	// caller's: a run lowers it to keep its batches within maxInFlightBytes.
	defaultStreams bool
}

// Open loads the towers of m on rt and checks that they agree with the
// model's preprocessing. Close the Classifier before rt.
func Open(rt *Runtime, m *Model, opt Options) (*Classifier, error) {
	if opt.Threads < 0 || opt.Workers < 0 || opt.Streams < 0 || opt.BatchSize < 0 {
		return nil, fmt.Errorf("open %s: threads %d, workers %d, streams %d, batch size %d: want zero (the default) or more",
			m.Dir, opt.Threads, opt.Workers, opt.Streams, opt.BatchSize)
	}
	if opt.Threads == 0 {
		opt.Threads = rt.Options().Threads
	}
	defaultStreams := opt.Streams == 0
	opt = SplitFor(m, opt.Device, Cores()).Given(opt.Threads, opt.Workers, opt.Streams, Cores()).Options(opt)
	eo := encoder.Options{Threads: opt.Threads, Device: opt.Device, NoSpin: true}
	img, txt, err := openTowers(rt, m, eo)
	if err != nil {
		return nil, err
	}
	c, err := newClassifier(m, img, txt, opt)
	if err != nil {
		return nil, errors.Join(err, img.Close(), txt.Close())
	}
	c.defaultStreams = defaultStreams
	return c, nil
}

// openTowers opens m's image and text towers with eo. Small towers on the
// CPU load side by side: ONNX Runtime builds and optimizes each session on
// the calling thread, a start-up cost every run waits on. Towers of
// LargeTower bytes or more load one after the other, since loading holds
// transient copies of the weights (two ViT-B/32 towers loading at once
// raised a run's peak RSS by 70–150 MB), and so do other devices, as zsic
// always loaded them: their providers' compilers are not known here to
// allow it.
func openTowers(rt *Runtime, m *Model, eo encoder.Options) (*encoder.Image, *encoder.Text, error) {
	var (
		txt     *encoder.Text
		textErr error
		wg      sync.WaitGroup
	)
	openText := func() { txt, textErr = encoder.OpenText(rt, m.Towers[TextEncoder], eo) }
	together := encoder.ProviderName(eo.Device) == encoder.ProviderName("cpu") &&
		towerBytes(m.Towers[ImageEncoder]) < LargeTower && towerBytes(m.Towers[TextEncoder]) < LargeTower
	if together {
		wg.Go(openText)
	}
	img, err := encoder.OpenImage(rt, m.Towers[ImageEncoder], eo)
	wg.Wait()
	if err == nil && !together {
		openText()
	}
	if err != nil {
		if txt != nil && textErr == nil {
			txt.Close()
		}
		return nil, nil, err
	}
	if textErr != nil {
		img.Close()
		return nil, nil, textErr
	}
	return img, txt, nil
}

// newClassifier checks that the towers agree with m's preprocessing and
// assembles a Classifier of them.
func newClassifier(m *Model, img imageTower, txt textTower, opt Options) (*Classifier, error) {
	c := &Classifier{Model: m, image: img, text: txt, batch: opt.BatchSize, workers: max(opt.Workers, 1), streams: max(opt.Streams, 1), threads: opt.Threads}
	if c.batch <= 0 {
		c.batch = DefaultBatchSize
	}
	c.h, c.w = m.Preprocess.OutputSize()
	if c.h == 0 || c.w == 0 {
		return nil, fmt.Errorf("model %s: preprocessor_config.json gives no fixed image size (set do_center_crop with crop_size, or size {height, width})", m.Dir)
	}
	if gh, gw := img.Size(); (gh > 0 && gh != c.h) || (gw > 0 && gw != c.w) {
		return nil, fmt.Errorf("model %s: preprocessor_config.json gives %d×%d images, the image encoder %s wants %d×%d",
			m.Dir, c.h, c.w, m.Towers[ImageEncoder], gh, gw)
	}
	if err := c.checkWidths(int(img.Output().Shape[1]), int(txt.Output().Shape[1])); err != nil {
		return nil, err
	}
	return c, nil
}

// checkWidths reports towers whose embeddings differ in width; a width
// below 1 (a dynamic dimension) is not known yet and passes.
func (c *Classifier) checkWidths(image, text int) error {
	if image > 0 && text > 0 && image != text {
		return fmt.Errorf("the towers disagree: the image encoder %s gives %d-dim embeddings, the text encoder %s gives %d-dim ones; both must come from the same model",
			c.Model.Towers[ImageEncoder], image, c.Model.Towers[TextEncoder], text)
	}
	return nil
}

// CheckTemplate reports a prompt template without the {} that the label
// replaces: every label would get the same prompt, and every image the
// same scores. "" (DefaultTemplate) passes.
func CheckTemplate(template string) error {
	if template != "" && !strings.Contains(template, "{}") {
		return fmt.Errorf("prompt template %q has no {} for the label: every label would get the same prompt", template)
	}
	return nil
}

// Close releases both towers.
func (c *Classifier) Close() error {
	return errors.Join(c.image.Close(), c.text.Close())
}

// CloseText releases the text tower alone, for a caller that has made
// every label embedding it needs (EncodeLabels, EncodeClasses) and goes on
// with images: a full-size model's text tower holds 150 MB or more that the
// image runs do not use. Later calls that run the text tower fail, naming
// it; TowerStats still reports it, and Close closes the image tower. Like
// Close, it must not overlap other calls.
func (c *Classifier) CloseText() error {
	return c.text.Close()
}

// Prompts fills template with each label; an empty template means
// DefaultTemplate.
func Prompts(template string, labels []string) []string {
	if template == "" {
		template = DefaultTemplate
	}
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = strings.ReplaceAll(template, "{}", l)
	}
	return out
}

// Tokenize encodes texts as the text encoder takes them: padded together as
// the pipeline pads them, fitted to the graph's fixed length if it has one.
func (c *Classifier) Tokenize(texts []string) tokenizer.Batch {
	return tokenizer.Encode(c.Model.Tokenizer, texts, c.text.SeqLen())
}

// EmbedTexts returns the text tower's raw output row for each text. The
// texts are tokenized and padded together, as the pipeline pads its
// candidate labels, then run batchSize rows at a time (all at once when
// batchSize ≤ 0).
func (c *Classifier) EmbedTexts(texts []string, batchSize int) ([][]float32, error) {
	b := c.Tokenize(texts)
	if batchSize <= 0 {
		batchSize = len(texts)
	}
	var out [][]float32
	for start := 0; start < len(texts); start += batchSize {
		end := min(start+batchSize, len(texts))
		rows, err := c.text.Embed(b.IDs[start:end], b.Mask[start:end])
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// Split returns the threads, workers and streams the classifier runs
// with: Options' values, the defaults of SplitFor in place of zeros.
func (c *Classifier) Split() Split {
	return Split{Threads: c.threads, Workers: c.workers, Streams: c.streams}
}

// ImageSize returns the height and width of the image tensors.
func (c *Classifier) ImageSize() (height, width int) { return c.h, c.w }

// EmbedImages preprocesses and embeds images in batches, returning the
// image tower's raw output row for each. An image that cannot be
// preprocessed is an *ImageError whose Row is its index.
func (c *Classifier) EmbedImages(ctx context.Context, imgs []image.Image) ([][]float32, error) {
	out := make([][]float32, 0, len(imgs))
	err := c.embedBatches(ctx, imageInputs(imgs), batchOptions{size: c.batch, strict: true, workers: c.workers, streams: c.streams}, func(_ prepared, embeds [][]float32) error {
		out = append(out, embeds...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Labels is a set of candidate labels with their normalized prompt
// embeddings, encoded once and scored against any number of images.
type Labels struct {
	Names  []string    // the labels
	Embeds [][]float32 // normalized text embeddings, one per label
}

// EncodeLabels embeds the prompts made from template and names.
func (c *Classifier) EncodeLabels(names []string, template string, batchSize int) (*Labels, error) {
	if len(names) == 0 {
		return nil, errors.New("no candidate labels")
	}
	if err := CheckTemplate(template); err != nil {
		return nil, err
	}
	rows, err := c.EmbedTexts(Prompts(template, names), batchSize)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if !finite(r) {
			return nil, fmt.Errorf("the text encoder %s gave a non-finite embedding (NaN or Inf) for the prompt of label %q", c.Model.Towers[TextEncoder], names[i])
		}
	}
	return &Labels{Names: names, Embeds: NormalizeAll(rows)}, nil
}

// finite reports whether every value of v is a finite number.
func finite(v []float32) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

// Scores scores one raw image embedding against every label.
func (c *Classifier) Scores(imageEmbed []float32, l *Labels) []float64 {
	return c.scoresInto(new(scratch), imageEmbed, l)
}

// scratch holds the buffers of scoring one image after another: a run
// scores every image in them, so that its garbage (and with it the Go
// heap and peak memory) does not grow with the dataset.
type scratch struct {
	norm   []float32
	scores []float64
	top    []Ranked
}

// scoresInto is Scores in sc's buffers; the scores are valid until sc's
// next use.
func (c *Classifier) scoresInto(sc *scratch, imageEmbed []float32, l *Labels) []float64 {
	sc.norm = normalizeInto(sc.norm, imageEmbed)
	sc.scores = c.Model.Scoring.scoresInto(sc.scores, sc.norm, l.Embeds)
	return sc.scores
}

// scoreChecked is scoresInto after checking that the embedding is as wide
// as the labels' and finite, and that the scores are numbers; what and n
// name the image in errors ("row 7"), formatted only then.
func (c *Classifier) scoreChecked(sc *scratch, imageEmbed []float32, l *Labels, what string, n int) ([]float64, error) {
	if len(l.Embeds) > 0 {
		if err := c.checkWidths(len(imageEmbed), len(l.Embeds[0])); err != nil {
			return nil, err
		}
	}
	if !finite(imageEmbed) {
		return nil, fmt.Errorf("%s %d: the image encoder %s gave a non-finite embedding (NaN or Inf)", what, n, c.Model.Towers[ImageEncoder])
	}
	scores := c.scoresInto(sc, imageEmbed, l)
	for _, s := range scores {
		if math.IsNaN(s) {
			return nil, fmt.Errorf("%s %d: the scores are NaN (logit scale %g, bias %g)", what, n, c.Model.Scoring.Scale, c.Model.Scoring.Bias)
		}
	}
	return scores, nil
}

// Classify ranks the labels for each image, best first, as the pipeline
// does. Images run through the image tower in batches (Options.BatchSize);
// one that cannot be preprocessed is an *ImageError whose Row is its index.
func (c *Classifier) Classify(ctx context.Context, imgs []image.Image, l *Labels) ([][]Ranked, error) {
	out := make([][]Ranked, 0, len(imgs))
	var sc scratch
	err := c.embedBatches(ctx, imageInputs(imgs), batchOptions{size: c.batch, strict: true, workers: c.workers, streams: c.streams}, func(_ prepared, embeds [][]float32) error {
		for _, e := range embeds {
			scores, err := c.scoreChecked(&sc, e, l, "image", len(out))
			if err != nil {
				return err
			}
			out = append(out, TopK(scores, 0))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
