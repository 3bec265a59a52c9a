package zsic

import (
	"errors"
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/zsic/zsic/zsic/encoder"
	"github.com/zsic/zsic/zsic/tokenizer"
)

// DefaultTemplate is the pipeline's prompt: {} is replaced by the label.
const DefaultTemplate = "This is a photo of {}."

// Classifier is a model with its towers loaded.
type Classifier struct {
	Model *Model
	image *encoder.Image
	text  *encoder.Text
	h, w  int // the image tensor size
}

// Open loads the towers of m with ONNX Runtime and checks that they agree
// with the model's preprocessing.
func Open(m *Model, opt encoder.Options) (*Classifier, error) {
	c := &Classifier{Model: m}
	var err error
	if c.image, err = encoder.OpenImage(m.Towers[ImageEncoder], opt); err != nil {
		return nil, err
	}
	if c.text, err = encoder.OpenText(m.Towers[TextEncoder], opt); err != nil {
		c.image.Close()
		return nil, err
	}
	c.h, c.w = m.Preprocess.OutputSize()
	if c.h == 0 || c.w == 0 {
		c.Close()
		return nil, fmt.Errorf("model %s: preprocessor_config.json gives no fixed image size (set do_center_crop with crop_size, or size {height, width})", m.Dir)
	}
	if gh, gw := c.image.Size(); (gh > 0 && gh != c.h) || (gw > 0 && gw != c.w) {
		c.Close()
		return nil, fmt.Errorf("model %s: preprocessor_config.json gives %d×%d images, the image encoder %s wants %d×%d",
			m.Dir, c.h, c.w, m.Towers[ImageEncoder], gh, gw)
	}
	if err := c.checkWidths(int(c.image.Output().Shape[1]), int(c.text.Output().Shape[1])); err != nil {
		c.Close()
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

// Encoders returns the loaded towers, for inspection.
func (c *Classifier) Encoders() (*encoder.Image, *encoder.Text) { return c.image, c.text }

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
		rows, err := c.text.Embed(tokenizer.Batch{IDs: b.IDs[start:end], Mask: b.Mask[start:end]})
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// ImageSize returns the height and width of the image tensors.
func (c *Classifier) ImageSize() (height, width int) { return c.h, c.w }

// Preprocess converts img into the image tower's input, written to dst
// (3·height·width values).
func (c *Classifier) Preprocess(img image.Image, dst []float32) error {
	return c.Model.Preprocess.Preprocess(img, dst)
}

// EmbedPixels runs n preprocessed images through the image tower.
func (c *Classifier) EmbedPixels(pixels []float32, n int) ([][]float32, error) {
	return c.image.Embed(pixels, n, c.h, c.w)
}

// EmbedImages preprocesses and embeds images, returning the image tower's
// raw output row for each.
func (c *Classifier) EmbedImages(imgs []image.Image) ([][]float32, error) {
	per := 3 * c.h * c.w
	pixels := make([]float32, len(imgs)*per)
	for i, img := range imgs {
		if err := c.Preprocess(img, pixels[i*per:(i+1)*per]); err != nil {
			return nil, fmt.Errorf("image %d: %w", i, err)
		}
	}
	return c.EmbedPixels(pixels, len(imgs))
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
	return c.Model.Scoring.Scores(Normalize(imageEmbed), l.Embeds)
}

// scoreChecked is Scores after checking that the embedding is as wide as
// the labels' and finite, and that the scores are numbers; what names the
// image in errors.
func (c *Classifier) scoreChecked(imageEmbed []float32, l *Labels, what string) ([]float64, error) {
	if len(l.Embeds) > 0 {
		if err := c.checkWidths(len(imageEmbed), len(l.Embeds[0])); err != nil {
			return nil, err
		}
	}
	if !finite(imageEmbed) {
		return nil, fmt.Errorf("%s: the image encoder %s gave a non-finite embedding (NaN or Inf)", what, c.Model.Towers[ImageEncoder])
	}
	scores := c.Scores(imageEmbed, l)
	for _, s := range scores {
		if math.IsNaN(s) {
			return nil, fmt.Errorf("%s: the scores are NaN (logit scale %g, bias %g)", what, c.Model.Scoring.Scale, c.Model.Scoring.Bias)
		}
	}
	return scores, nil
}

// Classify ranks the labels for each image, best first, as the pipeline
// does.
func (c *Classifier) Classify(imgs []image.Image, l *Labels) ([][]Ranked, error) {
	rows, err := c.EmbedImages(imgs)
	if err != nil {
		return nil, err
	}
	out := make([][]Ranked, len(rows))
	for i, r := range rows {
		scores, err := c.scoreChecked(r, l, fmt.Sprintf("image %d", i))
		if err != nil {
			return nil, err
		}
		out[i] = TopK(scores, 0)
	}
	return out, nil
}
