package regress

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/ortlib"
)

// ManifestPath is the pinned sample every case draws from, relative to the
// repository root.
const ManifestPath = "fixtures/samples/cifar100-test-1000.json"

// GoldenDir is the folder of the golden files, relative to the repository
// root.
const GoldenDir = "golden"

// GoldenSuffix ends every golden file's name.
const GoldenSuffix = ".golden.json"

// ModelsDirEnv names the environment variable that points at the real
// seed models: $ZSIC_MODELS_DIR/openai/clip-vit-base-patch32, ...
const ModelsDirEnv = "ZSIC_MODELS_DIR"

// BatchSize is the batch size of every run, as `zsic eval` defaults it.
const BatchSize = 32

// Env says where the suite finds its inputs.
type Env struct {
	// Root is the repository root.
	Root string
	// Dataset is the CIFAR-100 test parquet.
	Dataset string
	// ModelsDir holds the real models by Hub id; "" when there are none.
	ModelsDir string
	// Runtime configures the ONNX Runtime environment and the defaults of
	// every case's sessions.
	Runtime zsic.RuntimeOptions
	// Placement makes the tests and benchmarks measure where ONNX Runtime
	// places each tower's nodes (see PlacementEnv).
	Placement bool
}

// Suite holds what every case shares: the dataset, its class names and the
// pinned sample, resolved once.
type Suite struct {
	env      Env
	src      dataset.Source
	rt       *zsic.Runtime
	classes  []string
	info     DatasetInfo
	byOrder  []int          // the dataset row of each manifest row, in manifest order
	pixels   map[int]string // Record.Pixels by dataset row
	runtime  string
	manifest string // the manifest's absolute path
}

// OpenSuite opens the dataset, resolves the pinned manifest in it and
// opens an ONNX Runtime runtime.
func OpenSuite(env Env) (*Suite, error) {
	rt, err := zsic.NewRuntime(env.Runtime)
	if err != nil {
		return nil, fmt.Errorf("%s=%s: %w", DeviceEnv, env.Device(), err)
	}
	if err := rt.CheckDevice(); err != nil {
		rt.Close()
		return nil, fmt.Errorf("%s=%s: %w (set %s to an ONNX Runtime library built with it)", DeviceEnv, env.Device(), err, ortlib.EnvVar)
	}
	src, err := dataset.Open(env.Dataset, dataset.DefaultColumns())
	if err != nil {
		rt.Close()
		return nil, err
	}
	s := &Suite{env: env, src: src, rt: rt, runtime: rt.Version(), manifest: filepath.Join(env.Root, ManifestPath)}
	if err := s.resolve(); err != nil {
		src.Close()
		rt.Close()
		return nil, err
	}
	return s, nil
}

// resolve reads the class names and finds the manifest's rows.
func (s *Suite) resolve() error {
	var err error
	if s.classes, err = dataset.ClassNames(s.src, ""); err != nil {
		return fmt.Errorf("dataset %s: %w", s.env.Dataset, err)
	}
	data, err := os.ReadFile(s.manifest)
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	sum := sha256.Sum256(data)
	m, err := dataset.LoadManifest(s.manifest)
	if err != nil {
		return err
	}
	rows, err := m.Resolve(s.src)
	if err != nil {
		return fmt.Errorf("dataset %s: %w", s.env.Dataset, err)
	}
	s.info = DatasetInfo{Name: m.Dataset, Split: m.Split, Manifest: ManifestPath,
		ManifestSHA256: hex.EncodeToString(sum[:]), ManifestRows: len(m.Rows)}
	// Resolve returns the rows sorted; hash them again to put them back in
	// manifest order, matching duplicates lowest row first as Resolve does.
	byHash := make(map[string][]int, len(rows))
	s.pixels = make(map[int]string, len(rows))
	err = s.src.Read(rows, func(smp dataset.Sample) error {
		if smp.Err != nil {
			return smp.Err
		}
		h, err := dataset.PixelHash(smp.Image)
		if err != nil {
			return fmt.Errorf("row %d: %w", smp.Row, err)
		}
		k := rowKey(h, smp.Label)
		byHash[k] = append(byHash[k], smp.Row)
		s.pixels[smp.Row] = h[:16]
		return nil
	})
	if err != nil {
		return fmt.Errorf("dataset %s: %w", s.env.Dataset, err)
	}
	for i, r := range m.Rows {
		k := rowKey(r.SHA256, r.Label)
		found := byHash[k]
		if len(found) == 0 {
			return fmt.Errorf("manifest %s: rows[%d] (sha256 %.12s) resolved but not found again", ManifestPath, i, r.SHA256)
		}
		s.byOrder = append(s.byOrder, found[0])
		byHash[k] = found[1:]
	}
	return nil
}

// rowKey identifies a manifest row: its pixel hash and label.
func rowKey(hash string, label int) string { return fmt.Sprintf("%s/%d", hash, label) }

// Close closes the dataset and the runtime; close the suite's classifiers
// first.
func (s *Suite) Close() error { return errors.Join(s.src.Close(), s.rt.Close()) }

// Source returns the dataset.
func (s *Suite) Source() dataset.Source { return s.src }

// Classes returns the class names by label id.
func (s *Suite) Classes() []string { return s.classes }

// Device returns the device the suite runs on.
func (s *Suite) Device() string { return s.env.Device() }

// Runtime returns the ONNX Runtime version.
func (s *Suite) Runtime() string { return s.runtime }

// Sample returns the dataset rows of the first n manifest rows (all of
// them when n ≤ 0 or n is too large), ascending, and the sample's
// identity.
func (s *Suite) Sample(n int) ([]int, DatasetInfo) {
	if n <= 0 || n > len(s.byOrder) {
		n = len(s.byOrder)
	}
	rows := slices.Clone(s.byOrder[:n])
	slices.Sort(rows)
	info := s.info
	info.ManifestRows = n
	return rows, info
}

// AbsentError reports a real model that is not on this machine; tests skip
// its cases.
type AbsentError struct {
	// Case is the case whose model is absent.
	Case Case
	// Dir is the folder looked for; "" when $ZSIC_MODELS_DIR is unset.
	Dir string
	// Err, when set, says why the folder does not hold the case's variant.
	Err error
}

// Reason says which model is missing, without the export instructions.
func (e *AbsentError) Reason() string {
	where := ModelsDirEnv + " is unset"
	switch {
	case e.Err != nil:
		where = fmt.Sprintf("no %s towers: %v", e.Case.VariantName(), e.Err)
	case e.Dir != "":
		where = "no folder " + e.Dir
	}
	return fmt.Sprintf("real model %s is not here (%s)", e.Case.Model, where)
}

// Error says which model is missing and how to export it.
func (e *AbsentError) Error() string {
	id := e.Case.Model
	return fmt.Sprintf("%s: set %s to a folder holding %s/ with config.json, preprocessor_config.json, the tokenizer files "+
		"and the two towers in the Transformers.js layout, onnx/vision_model.onnx and onnx/text_model.onnx (plus *_quantized.onnx for the int8 comparison); "+
		"e.g. in a transformers.js v2 checkout run `python -m scripts.convert --quantize --split_modalities --model_id %s` and move models/%s there "+
		"(optimum-cli export onnx --model %s --task zero-shot-image-classification writes a single combined model.onnx, which zsic does not read)",
		e.Reason(), ModelsDirEnv, id, id, id, id)
}

// ModelDir returns the folder of a case's model. A fixture or twin folder
// that is missing is an error; a real model that is missing is an
// *AbsentError.
func (e Env) ModelDir(c Case) (string, error) {
	if c.Kind == Bench {
		return c.Model, nil
	}
	if c.Kind != Real {
		dir := filepath.Join(e.Root, c.Model)
		if _, err := os.Stat(dir); err != nil {
			return "", fmt.Errorf("case %s: fixture model missing (run `make fixtures`): %w", c.Name(), err)
		}
		return dir, nil
	}
	if e.ModelsDir == "" {
		return "", &AbsentError{Case: c}
	}
	dir := filepath.Join(e.ModelsDir, filepath.FromSlash(c.Model))
	if _, err := os.Stat(dir); err != nil {
		return "", &AbsentError{Case: c, Dir: dir}
	}
	return dir, nil
}

// LoadModel reads a case's model folder for its variant. A real model's
// folder without the variant's towers is an *AbsentError too.
func (s *Suite) LoadModel(c Case) (*zsic.Model, error) {
	dir, err := s.env.ModelDir(c)
	if err != nil {
		return nil, err
	}
	m, err := zsic.LoadModel(dir, nil, c.Variant)
	if err != nil && c.Kind == Real && c.Variant != "" {
		return nil, &AbsentError{Case: c, Dir: dir, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", c.Name(), err)
	}
	return m, nil
}

// Open loads and opens a case's model.
func (s *Suite) Open(c Case) (*zsic.Classifier, error) {
	return s.OpenWith(c, zsic.Options{})
}

// OpenWith is Open with other options, e.g. another split of the cores;
// a zero BatchSize is the suite's.
func (s *Suite) OpenWith(c Case, opt zsic.Options) (*zsic.Classifier, error) {
	m, err := s.LoadModel(c)
	if err != nil {
		return nil, err
	}
	if opt.BatchSize == 0 {
		opt.BatchSize = BatchSize
	}
	clf, err := zsic.Open(s.rt, m, opt)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", c.Name(), err)
	}
	return clf, nil
}

// OpenModel opens m on the suite's runtime, with the runtime's defaults.
func (s *Suite) OpenModel(m *zsic.Model) (*zsic.Classifier, error) {
	return zsic.Open(s.rt, m, zsic.Options{BatchSize: BatchSize})
}

// EvalOptions returns the options of every run: the dataset's classes, the
// default prompt template and batch size of `zsic eval`, and strict
// decoding (a pinned sample has no bad images).
func (s *Suite) EvalOptions() zsic.EvalOptions {
	return zsic.EvalOptions{Classes: s.classes, Template: zsic.DefaultTemplate, BatchSize: BatchSize, Strict: true}
}

// Run evaluates clf on the case's sample of the suite's dataset and
// returns the outcome as a golden.
func (s *Suite) Run(ctx context.Context, c Case, clf *zsic.Classifier) (*Golden, error) {
	return s.RunOn(ctx, c, clf, s.src)
}

// RunOn is Run reading the images from src, a stand-in for the suite's
// dataset with the same rows (e.g. one that alters the images).
func (s *Suite) RunOn(ctx context.Context, c Case, clf *zsic.Classifier, src dataset.Source) (*Golden, error) {
	return s.run(ctx, c, clf, src, s.EvalOptions())
}

// RunWith is Run with other evaluation options, e.g. other prompts.
func (s *Suite) RunWith(ctx context.Context, c Case, clf *zsic.Classifier, opt zsic.EvalOptions) (*Golden, error) {
	return s.run(ctx, c, clf, s.src, opt)
}

func (s *Suite) run(ctx context.Context, c Case, clf *zsic.Classifier, src dataset.Source, opt zsic.EvalOptions) (*Golden, error) {
	rows, info := s.Sample(c.Samples)
	res, err := clf.Evaluate(ctx, src, rows, opt)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", c.Name(), err)
	}
	model, err := s.modelInfo(c, clf.Model)
	if err != nil {
		return nil, err
	}
	m := zsic.Metrics{Top1: round4(res.Metrics.Top1), Top5: round4(res.Metrics.Top5), MeanPerClassRecall: round4(res.Metrics.MeanPerClassRecall)}
	g := &Golden{Summary: Summary{Case: c.Name(), Model: model, Dataset: info, Runtime: s.runtime,
		Device: s.env.Device(), Samples: res.Samples, Metrics: m, Band: c.Policy.Band(res.Samples, m)}}
	for _, p := range res.Predictions {
		px, ok := s.pixels[p.Row]
		if !ok {
			return nil, fmt.Errorf("case %s: row %d is not in the pinned sample", c.Name(), p.Row)
		}
		g.Predictions = append(g.Predictions, Record{Row: p.Row, Pixels: px, Label: p.Label, Top5: p.Top5})
	}
	return g, nil
}

// modelInfo identifies the model of a case.
func (s *Suite) modelInfo(c Case, m *zsic.Model) (ModelInfo, error) {
	info := ModelInfo{Path: c.Model, Type: string(m.Type), Variant: c.VariantName(), Towers: map[zsic.Role]Tower{}}
	for role, p := range m.Towers {
		rel, err := filepath.Rel(m.Dir, p)
		if err != nil {
			rel = p
		}
		sum, err := fileSHA256(p)
		if err != nil {
			return info, fmt.Errorf("case %s: %w", c.Name(), err)
		}
		info.Towers[role] = Tower{File: filepath.ToSlash(rel), SHA256: sum}
	}
	return info, nil
}

// fileSHA256 returns the hex SHA-256 of a file's bytes.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// IsAbsent reports whether err says a real model is not here.
func IsAbsent(err error) bool {
	var a *AbsentError
	return errors.As(err, &a)
}
