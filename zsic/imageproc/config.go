package imageproc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
)

// Model types ParseConfig knows; each has Hugging Face's class defaults.
const (
	ModelCLIP    = "clip"    // CLIPImageProcessor (also OpenCLIP exports)
	ModelSigLIP  = "siglip"  // SiglipImageProcessor
	ModelSigLIP2 = "siglip2" // SiglipImageProcessor as SigLIP 2's fixed-resolution checkpoints use it
)

// OpenAI CLIP's normalization constants (transformers' OPENAI_CLIP_MEAN and
// OPENAI_CLIP_STD).
var (
	clipMean = [3]float64{0.48145466, 0.4578275, 0.40821073}
	clipStd  = [3]float64{0.26862954, 0.26130258, 0.27577711}
)

// Config is a parsed preprocessor_config.json: what Preprocess does to an
// image. The zero value does nothing useful; use ParseConfig or LoadConfig.
type Config struct {
	ModelType string // ModelCLIP, ModelSigLIP or ModelSigLIP2

	DoResize bool
	// ShortestEdge, when positive, resizes the shorter side to it keeping
	// the aspect ratio (CLIP's {"shortest_edge": n}); otherwise the image
	// is resized to exactly Height×Width.
	ShortestEdge  int
	Height, Width int
	Resample      Filter

	DoCenterCrop          bool
	CropHeight, CropWidth int

	DoRescale     bool
	RescaleFactor float64 // applied in float64, then rounded to float32, as HF's rescale does

	DoNormalize bool
	Mean, Std   [3]float32 // float32, the dtype HF's normalize computes in

	// DoConvertRGB is the config's do_convert_rgb. Preprocess always
	// converts to RGB, as the pipeline's load_image does before the
	// processor runs; the field is kept for reference.
	DoConvertRGB bool
}

// rawConfig is the JSON of a preprocessor_config.json; pointers tell an
// absent field (which takes the class default) from a zero one.
type rawConfig struct {
	ImageProcessorType   string          `json:"image_processor_type"`
	FeatureExtractorType string          `json:"feature_extractor_type"`
	DoResize             *bool           `json:"do_resize"`
	Size                 json.RawMessage `json:"size"`
	Resample             *int            `json:"resample"`
	DoCenterCrop         *bool           `json:"do_center_crop"`
	CropSize             json.RawMessage `json:"crop_size"`
	DoRescale            *bool           `json:"do_rescale"`
	RescaleFactor        *float64        `json:"rescale_factor"`
	DoNormalize          *bool           `json:"do_normalize"`
	ImageMean            json.RawMessage `json:"image_mean"`
	ImageStd             json.RawMessage `json:"image_std"`
	DoConvertRGB         *bool           `json:"do_convert_rgb"`
	MaxNumPatches        *int            `json:"max_num_patches"`
}

// LoadConfig reads and parses the preprocessor_config.json at path; see
// ParseConfig.
func LoadConfig(path, modelType string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("load preprocessor config: %w", err)
	}
	c, err := ParseConfig(data, modelType)
	if err != nil {
		return Config{}, fmt.Errorf("load preprocessor config %s: %w", path, err)
	}
	return c, nil
}

// ParseConfig parses a preprocessor_config.json for a model of type
// modelType: "clip", "siglip" or "siglip2", or "" to infer it from the
// image_processor_type field. Absent fields take the defaults of HF's
// CLIPImageProcessor or SiglipImageProcessor (SigLIP 2 defaults to
// bilinear resampling). The model type decides how an integer "size" reads:
// CLIP's as {"shortest_edge": size}, SigLIP's as height = width = size; an
// integer "crop_size" is always square.
func ParseConfig(data []byte, modelType string) (Config, error) {
	var raw rawConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return Config{}, fmt.Errorf("parse preprocessor config: %w", err)
	}
	if modelType == "" {
		modelType = inferModelType(raw)
	}
	c, err := defaults(modelType)
	if err != nil {
		return Config{}, err
	}
	if err := c.apply(raw); err != nil {
		return Config{}, fmt.Errorf("parse %s preprocessor config: %w", modelType, err)
	}
	return c, nil
}

// inferModelType guesses the model type from the processor's class name.
func inferModelType(raw rawConfig) string {
	name := strings.ToLower(raw.ImageProcessorType + raw.FeatureExtractorType)
	switch {
	case strings.Contains(name, "siglip2"):
		return ModelSigLIP2
	case strings.Contains(name, "siglip"):
		return ModelSigLIP
	}
	return ModelCLIP
}

// defaults returns the class defaults of modelType's image processor.
func defaults(modelType string) (Config, error) {
	c := Config{
		ModelType:     modelType,
		DoResize:      true,
		Resample:      Bicubic,
		DoRescale:     true,
		RescaleFactor: 1.0 / 255,
		DoNormalize:   true,
		DoConvertRGB:  true,
	}
	switch modelType {
	case ModelCLIP:
		c.ShortestEdge = 224
		c.DoCenterCrop = true
		c.CropHeight, c.CropWidth = 224, 224
		c.Mean, c.Std = toFloat32(clipMean), toFloat32(clipStd)
	case ModelSigLIP, ModelSigLIP2:
		c.Height, c.Width = 224, 224
		c.Mean, c.Std = [3]float32{0.5, 0.5, 0.5}, [3]float32{0.5, 0.5, 0.5}
		if modelType == ModelSigLIP2 {
			c.Resample = Bilinear
		}
	default:
		return Config{}, fmt.Errorf("preprocessor config for model type %q: want %q, %q or %q",
			modelType, ModelCLIP, ModelSigLIP, ModelSigLIP2)
	}
	return c, nil
}

func toFloat32(v [3]float64) [3]float32 {
	return [3]float32{float32(v[0]), float32(v[1]), float32(v[2])}
}

// apply overrides c's defaults with the fields present in raw and checks
// the result.
func (c *Config) apply(raw rawConfig) error {
	if raw.MaxNumPatches != nil {
		return fmt.Errorf("max_num_patches is set: NaFlex (Siglip2ImageProcessor) preprocessing is not supported, want a fixed-resolution config")
	}
	setBool(&c.DoResize, raw.DoResize)
	setBool(&c.DoCenterCrop, raw.DoCenterCrop)
	setBool(&c.DoRescale, raw.DoRescale)
	setBool(&c.DoNormalize, raw.DoNormalize)
	setBool(&c.DoConvertRGB, raw.DoConvertRGB)
	if raw.Resample != nil {
		c.Resample = Filter(*raw.Resample)
		if !c.Resample.Valid() {
			return fmt.Errorf("resample %d: want 0 (nearest) to 5 (hamming)", *raw.Resample)
		}
	}
	if raw.RescaleFactor != nil {
		c.RescaleFactor = *raw.RescaleFactor
	}
	if err := c.applySize(raw.Size); err != nil {
		return err
	}
	if len(raw.CropSize) > 0 && !isNull(raw.CropSize) {
		s, err := parseSize(raw.CropSize, "crop_size", true)
		if err != nil {
			return err
		}
		if s.shortest > 0 {
			return fmt.Errorf("crop_size %s: want an integer or {\"height\", \"width\"}", raw.CropSize)
		}
		c.CropHeight, c.CropWidth = s.height, s.width
	}
	var err error
	if c.Mean, err = parseTriple(raw.ImageMean, "image_mean", c.Mean); err != nil {
		return err
	}
	if c.Std, err = parseTriple(raw.ImageStd, "image_std", c.Std); err != nil {
		return err
	}
	return c.validate()
}

// applySize reads the "size" field, whose integer form depends on the
// model type.
func (c *Config) applySize(msg json.RawMessage) error {
	if len(msg) == 0 || isNull(msg) {
		return nil
	}
	s, err := parseSize(msg, "size", c.ModelType != ModelCLIP)
	if err != nil {
		return err
	}
	if s.shortest > 0 && c.ModelType != ModelCLIP {
		return fmt.Errorf("size %s: SigLIP resizes to {\"height\", \"width\"}, not shortest_edge", msg)
	}
	c.ShortestEdge, c.Height, c.Width = s.shortest, s.height, s.width
	return nil
}

// MaxSize bounds every size of a preprocessor config (shortest edge,
// height, width, crop): 4096 is over ten times the side of the largest
// CLIP or SigLIP input, and a tensor of 4096×4096 pixels already takes
// 200 MB. Larger values are mistakes that would exhaust memory.
const MaxSize = 4096

// validate checks that c describes a preprocessing that can run.
func (c *Config) validate() error {
	if c.DoResize && c.ShortestEdge <= 0 && (c.Height <= 0 || c.Width <= 0) {
		return fmt.Errorf("size %dx%d: want positive sizes", c.Height, c.Width)
	}
	if c.DoCenterCrop && (c.CropHeight <= 0 || c.CropWidth <= 0) {
		return fmt.Errorf("crop_size %dx%d: want positive sizes", c.CropHeight, c.CropWidth)
	}
	for _, v := range []struct {
		name string
		n    int
	}{{"size shortest_edge", c.ShortestEdge}, {"size height", c.Height}, {"size width", c.Width},
		{"crop_size height", c.CropHeight}, {"crop_size width", c.CropWidth}} {
		if v.n > MaxSize {
			return fmt.Errorf("%s %d: want at most %d", v.name, v.n, MaxSize)
		}
	}
	if c.DoRescale && (math.IsNaN(c.RescaleFactor) || math.IsInf(c.RescaleFactor, 0)) {
		return fmt.Errorf("rescale_factor %v: want a finite number", c.RescaleFactor)
	}
	if c.DoNormalize {
		for i, s := range c.Std {
			if s == 0 || math.IsNaN(float64(s)) || math.IsNaN(float64(c.Mean[i])) {
				return fmt.Errorf("image_mean %v, image_std %v: want numbers, std nonzero", c.Mean, c.Std)
			}
		}
	}
	// Every pixel value must come out a finite float32: a huge
	// rescale_factor or mean, or a tiny image_std, gives Inf.
	lut := c.valueTable()
	for ch := range 3 {
		for p, v := range lut[ch] {
			if math.IsInf(float64(v), 0) || math.IsNaN(float64(v)) {
				return fmt.Errorf("rescale_factor %g, image_mean %v, image_std %v: pixel value %d of channel %d becomes %v; want values that keep pixels finite in float32",
					c.RescaleFactor, c.Mean, c.Std, p, ch, v)
			}
		}
	}
	return nil
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

func isNull(msg json.RawMessage) bool { return string(bytes.TrimSpace(msg)) == "null" }

// size is a parsed "size" or "crop_size": shortest edge, or height×width.
type size struct{ shortest, height, width int }

// parseSize reads an integer (square if square, else a shortest edge), a
// [height, width] list, or a {"shortest_edge"} or {"height", "width"}
// object, as HF's get_size_dict does.
func parseSize(msg json.RawMessage, field string, square bool) (size, error) {
	var n int
	if err := json.Unmarshal(msg, &n); err == nil {
		if n <= 0 {
			return size{}, fmt.Errorf("%s %d: want a positive size", field, n)
		}
		if square {
			return size{height: n, width: n}, nil
		}
		return size{shortest: n}, nil
	}
	var list []int
	if err := json.Unmarshal(msg, &list); err == nil {
		if len(list) != 2 || list[0] <= 0 || list[1] <= 0 {
			return size{}, fmt.Errorf("%s %s: want [height, width], both positive", field, msg)
		}
		return size{height: list[0], width: list[1]}, nil
	}
	var obj map[string]int
	if err := json.Unmarshal(msg, &obj); err != nil {
		return size{}, fmt.Errorf("%s %s: want an integer, [height, width] or an object of integers", field, msg)
	}
	if se, ok := obj["shortest_edge"]; ok {
		if se <= 0 {
			return size{}, fmt.Errorf("%s %s: want a positive shortest_edge", field, msg)
		}
		return size{shortest: se}, nil
	}
	h, okH := obj["height"]
	w, okW := obj["width"]
	if !okH || !okW || h <= 0 || w <= 0 {
		return size{}, fmt.Errorf("%s %s: want {\"shortest_edge\": n} or positive {\"height\", \"width\"}", field, msg)
	}
	return size{height: h, width: w}, nil
}

// parseTriple reads a per-channel list of 3 numbers, or one number for all
// channels; an absent field keeps def.
func parseTriple(msg json.RawMessage, field string, def [3]float32) ([3]float32, error) {
	if len(msg) == 0 || isNull(msg) {
		return def, nil
	}
	var one float64
	if err := json.Unmarshal(msg, &one); err == nil {
		return [3]float32{float32(one), float32(one), float32(one)}, nil
	}
	var list []float64
	if err := json.Unmarshal(msg, &list); err != nil || len(list) != 3 {
		return def, fmt.Errorf("%s %s: want 3 numbers (one per RGB channel) or one number", field, msg)
	}
	return toFloat32([3]float64(list)), nil
}
