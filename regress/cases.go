package regress

import (
	"os"
	"path/filepath"
	"strings"
)

// Family is the model family of a case, and the top-level test that runs
// it (TestCLIP, TestSigLIP), so `go test -run CLIP` selects its cases.
type Family string

// The families.
const (
	CLIP   Family = "CLIP"
	SigLIP Family = "SigLIP"
)

// Kind says where a case's model comes from.
type Kind string

// The kinds of case.
const (
	// Fixture models are small trained models checked into fixtures/models.
	Fixture Kind = "fixture"
	// Twin models have a seed model's configuration, tokenizer and
	// preprocessing but random weights (fixtures/models/twin).
	Twin Kind = "twin"
	// Real models are the published seed checkpoints, exported by the user
	// into $ZSIC_MODELS_DIR.
	Real Kind = "real"
	// Bench models are full-size random-weight models that only the
	// benchmarks run, from $ZSIC_BENCH_MODELS (BenchCases).
	Bench Kind = "bench"
)

// Case is one model and variant the suite evaluates.
type Case struct {
	// Family is the top-level test that runs the case.
	Family Family
	// Path is the subtest path under the family: "tiny-clip/fp32",
	// "twin/openai/clip-vit-base-patch32", "openai/clip-vit-base-patch32".
	Path string
	// Kind says where the model comes from.
	Kind Kind
	// Model is the model folder relative to the repository root (fixtures
	// and twins), the Hub id under $ZSIC_MODELS_DIR (real models), or the
	// model folder itself (bench models).
	Model string
	// Variant is the tower variant LoadModel reads: "" (fp32) or
	// "quantized".
	Variant string
	// Samples is how many manifest rows, from the first, the case uses;
	// zero means all of them.
	Samples int
	// Policy sets the band of the case's golden.
	Policy Policy
}

// Name returns the case's full name, e.g. "CLIP/tiny-clip/fp32"; the test
// is Test+Name.
func (c Case) Name() string { return string(c.Family) + "/" + c.Path }

// GoldenName returns the golden file's base name (without the
// .golden.json suffix): the name in lower case with "-" for "/", e.g.
// "clip-tiny-clip-fp32".
func (c Case) GoldenName() string {
	return strings.ToLower(strings.ReplaceAll(c.Name(), "/", "-"))
}

// VariantName returns "fp32" or the variant.
func (c Case) VariantName() string {
	if c.Variant == "" {
		return "fp32"
	}
	return c.Variant
}

// Quantized returns the int8 ("quantized" variant) counterpart of an fp32
// case: the listed case if there is one, else c with the variant set and
// "/int8" in place of a trailing "/fp32" (or appended).
func (c Case) Quantized() Case {
	q := c
	q.Variant = "quantized"
	q.Path = strings.TrimSuffix(c.Path, "/fp32") + "/int8"
	for _, d := range Cases() {
		if d.Name() == q.Name() {
			return d
		}
	}
	return q
}

// Sample sizes: the fixtures and real models use the whole pinned sample;
// twins, whose accuracy is chance, only need enough rows to exercise the
// pipeline.
const (
	fullSample = 0
	twinSample = 100
	// benchSample is two batches of 32: a full-size tower takes seconds
	// per batch on a small machine.
	benchSample = 64
)

// The policies of the kinds of case. The agreement floors rest on the
// margins measured when the goldens were first written: float32 rounding
// moves a score by about 1e-6 of itself, and no fixture sample's top-1 and
// top-2 scores are closer than 8e-5 of the top score (1 of 1000 is under
// 1e-4), while each twin has at most 4 of 100 samples under 1e-4.
var (
	fp32Policy = Policy{Sigmas: 1.5, MinAgreement: 97,
		Why: "the golden comes from the same graph; another ONNX Runtime build or CPU changes only float rounding (about 1e-6 of a score), which can flip only near-tied top-1 labels, and at most 1 in 1000 of the fixtures' samples has its top two scores within 1e-4 of each other"}
	int8Policy = Policy{Sigmas: 1.5, MinAgreement: 97,
		Why: "the int8 towers are dynamic int8 graphs (onnxruntime quantize_dynamic's format): their integer matmuls are exact on any build, and the float rounding that another build or CPU changes can at most move an activation across a quantization step, which flips only near-tied top-1 labels; the batch size, which sets each activation scale, is fixed"}
	twinPolicy = Policy{Sigmas: 1.5, MinAgreement: 95,
		Why: "random weights give chance accuracy (about 1%) and close scores, so the bands are a few samples and the case's value is that the seed configuration runs end to end and ranks the same; each twin has at most 4 of its 100 samples with the top two scores within 1e-4 of each other, so the floor allows 5 flips"}
	realPolicy = Policy{Sigmas: 1.5, MinAgreement: 97,
		Why: "the golden comes from the user's own export of the checkpoint; re-running it, or another ONNX Runtime build, changes only float rounding"}
)

// seeds are the seed models: the real checkpoints' Hub ids, which are also
// their twins' folders under fixtures/models/twin.
var seeds = []struct {
	family Family
	hubID  string
}{
	{CLIP, "openai/clip-vit-base-patch32"},
	{CLIP, "openai/clip-vit-base-patch16"},
	{CLIP, "openai/clip-vit-large-patch14"},
	{CLIP, "openai/clip-vit-large-patch14-336"},
	{CLIP, "laion/CLIP-ViT-B-32-laion2B-s34B-b79K"},
	{CLIP, "laion/CLIP-ViT-H-14-laion2B-s32B-b79K"},
	{SigLIP, "google/siglip-base-patch16-224"},
	{SigLIP, "google/siglip-so400m-patch14-384"},
	{SigLIP, "google/siglip2-base-patch16-224"},
}

// Cases lists every case: the fixture models in fp32 and int8, a twin of
// each seed model, and each real seed model.
func Cases() []Case {
	cs := []Case{
		{Family: CLIP, Path: "tiny-clip/fp32", Kind: Fixture, Model: "fixtures/models/tiny-clip", Samples: fullSample, Policy: fp32Policy},
		{Family: CLIP, Path: "tiny-clip/int8", Kind: Fixture, Model: "fixtures/models/tiny-clip", Variant: "quantized", Samples: fullSample, Policy: int8Policy},
		{Family: SigLIP, Path: "tiny-siglip/fp32", Kind: Fixture, Model: "fixtures/models/tiny-siglip", Samples: fullSample, Policy: fp32Policy},
		{Family: SigLIP, Path: "tiny-siglip/int8", Kind: Fixture, Model: "fixtures/models/tiny-siglip", Variant: "quantized", Samples: fullSample, Policy: int8Policy},
	}
	for _, s := range seeds {
		cs = append(cs, Case{Family: s.family, Path: "twin/" + s.hubID, Kind: Twin, Model: "fixtures/models/twin/" + s.hubID, Samples: twinSample, Policy: twinPolicy})
	}
	for _, s := range seeds {
		cs = append(cs, Case{Family: s.family, Path: s.hubID, Kind: Real, Model: s.hubID, Samples: fullSample, Policy: realPolicy})
	}
	return cs
}

// QuantizationPairs lists the fp32 cases whose int8 counterpart (see
// Quantized) the suite compares with them: the fixtures and the real
// models. Twins are left out: their accuracy is chance.
func QuantizationPairs() []Case {
	var out []Case
	for _, c := range Cases() {
		if c.Kind != Twin && c.Variant == "" {
			out = append(out, c)
		}
	}
	return out
}

// BenchModelsEnv names the environment variable that points the benchmarks
// at full-size models: $ZSIC_BENCH_MODELS/openai/clip-vit-base-patch32, as
// fixtures/scripts/make_bench_model.py writes it.
const BenchModelsEnv = "ZSIC_BENCH_MODELS"

// benchModels are the models BenchCases looks for under $ZSIC_BENCH_MODELS.
var benchModels = []struct {
	family Family
	hubID  string
}{
	{CLIP, "openai/clip-vit-base-patch32"},
}

// BenchCases lists the bench-model cases of the models present under dir
// (none when dir is ""): fp32; int8, the dynamic int8 towers of
// --variant quantized (uint8 weights, as the suite's other int8 cases);
// and int8-signed, those of --variant int8 (int8 weights), when its files
// are there. They run on the first benchSample rows of the pinned sample
// and have no golden: their weights are random.
func BenchCases(dir string) []Case {
	if dir == "" {
		return nil
	}
	variants := []struct{ name, variant string }{{"fp32", ""}, {"int8", "quantized"}, {"int8-signed", "int8"}}
	var cs []Case
	for _, m := range benchModels {
		path := filepath.Join(dir, filepath.FromSlash(m.hubID))
		if _, err := os.Stat(filepath.Join(path, "config.json")); err != nil {
			continue
		}
		for _, v := range variants {
			if v.variant != "" {
				if _, err := os.Stat(filepath.Join(path, "onnx", "vision_model_"+v.variant+".onnx")); err != nil {
					continue // a bench model written before this variant was
				}
			}
			cs = append(cs, Case{Family: m.family, Path: "bench/" + m.hubID + "/" + v.name, Kind: Bench, Model: path,
				Variant: v.variant, Samples: benchSample, Policy: twinPolicy})
		}
	}
	return cs
}
