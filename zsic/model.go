package zsic

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zsic/zsic/zsic/imageproc"
	"github.com/zsic/zsic/zsic/tokenizer"
)

// Role names a tower of a dual-encoder model.
type Role string

// The roles of a dual-encoder model's towers.
const (
	ImageEncoder Role = "image-encoder"
	TextEncoder  Role = "text-encoder"
)

// Roles returns the roles of a dual-encoder model, image first.
func Roles() []Role { return []Role{ImageEncoder, TextEncoder} }

// Towers maps each role to its ONNX file.
type Towers map[Role]string

// ModelType is a config.json model_type zsic supports.
type ModelType string

// The supported model types.
const (
	CLIP    ModelType = "clip"    // OpenAI CLIP and OpenCLIP exports
	SigLIP  ModelType = "siglip"  // Google SigLIP
	SigLIP2 ModelType = "siglip2" // Google SigLIP 2 (fixed resolution)
)

// ModelTypes returns the supported model types.
func ModelTypes() []ModelType { return []ModelType{CLIP, SigLIP, SigLIP2} }

// joinTypes lists the supported model types for a message.
func joinTypes() string {
	s := make([]string, 0, 3)
	for _, t := range ModelTypes() {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

// Variants returns the Transformers.js tower variants LoadModel accepts;
// "" is the fp32 graph, as is "fp32".
func Variants() []string { return []string{"", "fp32", "quantized", "fp16", "int8", "uint8", "q4"} }

// towerFiles returns the candidate files of a role in a model folder, in the
// order they are tried: our names, then the Transformers.js onnx/ layout.
func towerFiles(role Role, variant string) []string {
	suffix := ""
	if variant != "" && variant != "fp32" {
		suffix = "_" + variant
	}
	ours, js := "image_encoder", "onnx/vision_model"
	if role == TextEncoder {
		ours, js = "text_encoder", "onnx/text_model"
	}
	return []string{ours + suffix + ".onnx", js + suffix + ".onnx"}
}

// ExternalDataSuffixes are the suffixes that, added to a tower's path, name
// the file holding its weights when the graph keeps them apart (ONNX
// external data, as exporters write it for towers over 2 GB).
var ExternalDataSuffixes = []string{"_data", ".data"}

// ModelFiles reports whether a file of a model repository is one zsic reads
// for variant: the configs, tokenizer files and the two towers (with their
// external data).
func ModelFiles(variant string) func(path string) bool {
	want := map[string]bool{
		"config.json": true, "preprocessor_config.json": true, "tokenizer_config.json": true,
		"tokenizer.json": true, "vocab.json": true, "merges.txt": true, "spiece.model": true,
		"special_tokens_map.json": true,
	}
	for _, r := range Roles() {
		for _, f := range towerFiles(r, variant) {
			want[f] = true
			for _, ext := range ExternalDataSuffixes {
				want[f+ext] = true
			}
		}
	}
	return func(path string) bool { return want[path] }
}

// Model is a model folder, read and checked, ready to open.
type Model struct {
	Dir        string           // the model folder
	Type       ModelType        // model_type
	Towers     Towers           // the ONNX file of each role
	Scoring    Scoring          // how similarities become scores
	Preprocess imageproc.Config // the image processor
	Tokenizer  Tokenizer        // the text tokenizer
	Notes      []string         // things the user should know, e.g. a missing logit scale
}

// modelConfig holds the config.json fields zsic reads. logit_scale and
// logit_bias are zsic's own keys: the learned parameters as the checkpoint
// stores them (logit_scale is the natural log of the multiplier).
type modelConfig struct {
	ModelType  string   `json:"model_type"`
	LogitScale *float64 `json:"logit_scale"`
	LogitBias  *float64 `json:"logit_bias"`
}

// LoadModel reads a model folder: config.json (model_type clip, siglip or
// siglip2; optional logit_scale and logit_bias), preprocessor_config.json,
// the tokenizer files, and the towers for variant (one of Variants()), which
// towers overrides role by role. dir may be empty when towers names both
// roles; the folder is then the one holding the text encoder, or its parent
// for the onnx/ layout. A tower that cannot be found is a
// *MissingTowerError, an unsupported model_type a *ModelTypeError.
func LoadModel(dir string, towers Towers, variant string) (*Model, error) {
	if !slices.Contains(Variants(), variant) {
		return nil, fmt.Errorf("variant %q: want one of %s", variant, strings.Join(Variants()[1:], ", "))
	}
	if dir == "" {
		for _, r := range Roles() {
			if towers[r] == "" {
				return nil, &MissingTowerError{Role: r}
			}
		}
		var tried []string
		if dir, tried = findConfigDir(towers[TextEncoder]); dir == "" {
			return nil, &ConfigNotFoundError{Tried: tried}
		}
	}
	m := &Model{Dir: dir, Towers: Towers{}}
	cfgPath := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", dir, err)
	}
	var cfg modelConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("load model config %s: %w", cfgPath, err)
	}
	m.Type = ModelType(cfg.ModelType)
	if !slices.Contains(ModelTypes(), m.Type) {
		return nil, &ModelTypeError{Config: cfgPath, Type: cfg.ModelType}
	}
	if err := checkLogits(cfg); err != nil {
		return nil, fmt.Errorf("load model config %s: %w", cfgPath, err)
	}
	m.Scoring = scoring(cfg, &m.Notes)
	for _, r := range Roles() {
		if p := towers[r]; p != "" {
			m.Towers[r] = p
			continue
		}
		cands := towerFiles(r, variant)
		for _, c := range cands {
			if _, err := os.Stat(filepath.Join(dir, c)); err == nil {
				m.Towers[r] = filepath.Join(dir, c)
				break
			}
		}
		if m.Towers[r] == "" {
			return nil, &MissingTowerError{Role: r, Dir: dir, Tried: cands}
		}
	}
	if m.Preprocess, err = imageproc.LoadConfig(filepath.Join(dir, "preprocessor_config.json"), string(m.Type)); err != nil {
		return nil, fmt.Errorf("load model %s: %w", dir, err)
	}
	if m.Tokenizer, err = tokenizer.Load(dir, string(m.Type)); err != nil {
		return nil, fmt.Errorf("load model %s: %w", dir, err)
	}
	return m, nil
}

// maxLogitScale bounds config.json's logit_scale: exp of it must stay far
// from overflowing once multiplied by a cosine and added to a bias. Trained
// models clamp it at log(100) ≈ 4.6.
const maxLogitScale = 100

// checkLogits reports a logit_scale or logit_bias that would turn scores
// into NaN or Inf.
func checkLogits(cfg modelConfig) error {
	if s := cfg.LogitScale; s != nil && !(math.Abs(*s) <= maxLogitScale) {
		return fmt.Errorf("logit_scale %g: want the natural log of the multiplier, between %d and %d (trained models use about 4.6, i.e. ×100)", *s, -maxLogitScale, maxLogitScale)
	}
	if b := cfg.LogitBias; b != nil && !(math.Abs(*b) <= 1e6) {
		return fmt.Errorf("logit_bias %g: want a number between -1e6 and 1e6 (SigLIP's is about -10)", *b)
	}
	return nil
}

// scoring derives the scoring rule from the config, noting assumptions.
func scoring(cfg modelConfig, notes *[]string) Scoring {
	if ModelType(cfg.ModelType) == CLIP {
		s := Scoring{Kind: Softmax, Scale: 100}
		if cfg.LogitScale != nil {
			s.Scale = math.Exp(*cfg.LogitScale)
		}
		if cfg.LogitBias != nil {
			s.Bias = *cfg.LogitBias
		}
		return s
	}
	if cfg.LogitScale == nil || cfg.LogitBias == nil {
		*notes = append(*notes, "config.json has no logit_scale/logit_bias: scores are cosine similarities, not SigLIP's sigmoid probabilities (the ranking is the same)")
		return Scoring{Kind: Cosine}
	}
	return Scoring{Kind: Sigmoid, Scale: math.Exp(*cfg.LogitScale), Bias: *cfg.LogitBias}
}

// findConfigDir returns the folder of path, or its parent, that holds
// config.json, or "" and the paths tried.
func findConfigDir(path string) (string, []string) {
	var tried []string
	d := filepath.Dir(path)
	for range 2 {
		cfg := filepath.Join(d, "config.json")
		if _, err := os.Stat(cfg); err == nil {
			return d, nil
		}
		tried = append(tried, cfg)
		d = filepath.Dir(d)
	}
	return "", tried
}
