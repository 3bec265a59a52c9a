// Package report defines the JSON report `zsic eval --output` writes, a
// documented and versioned shape (Schema), and reads and writes the
// predictions file (`--predictions`, one JSON object per line) that goes
// with it.
//
// # Adding to the report
//
// Report is the one place the report's shape is defined. To record
// something new, add a field to Report (or to one of its objects) with a
// doc comment, a snake_case JSON name and `omitempty` when it may be
// absent, fill it where the report is assembled (cmd/zsic's eval), and
// check it in that command's provenance test. Adding a field keeps the
// schema at its version; renaming or removing one, or changing a field's
// meaning, bumps Schema, and readers (ReadReport) then refuse older or
// newer reports by name.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/prompt"
)

// Schema is the version of the report's shape, recorded in every report
// as "schema".
const Schema = 1

// Report is the JSON report of one evaluation run: what ran (model,
// runtime, machine, dataset, prompts), what it measured and how long it
// took.
type Report struct {
	// Schema is the shape's version: Schema.
	Schema int `json:"schema"`
	// ModelID is the model folder or Hub id.
	ModelID string `json:"model_id"`
	// ModelPath maps each tower's role to its ONNX file.
	ModelPath map[string]string `json:"model_path"`
	// Task is "zero-shot-image-classification".
	Task string `json:"task"`
	// Device is the --device the run asked for, e.g. "cpu".
	Device string `json:"device"`
	// ExecutionProvider is ONNX Runtime's provider that the device names
	// ("CUDA", "QNN", "CPU"); StrictDevice says the run forbade it to run
	// nodes on the CPU.
	ExecutionProvider string `json:"execution_provider"`
	StrictDevice      bool   `json:"strict_device,omitempty"`
	// Placement says, by tower role, how many of the tower's nodes ONNX
	// Runtime ran on the execution provider and how many it left to
	// others (the CPU), as a short profiling session per tower measured
	// it (zsic.Classifier.Placement). It is absent when the run did not
	// measure it, as on the CPU unless asked.
	Placement map[string]Placement `json:"placement,omitempty"`
	// Dataset says what was evaluated.
	Dataset Dataset `json:"dataset"`
	// Metrics are the accuracies, in percent.
	Metrics zsic.Metrics `json:"metrics"`
	// Timings are the run's measured times.
	Timings Timings `json:"timings"`
	// Provenance identifies the program, runtime, towers, machine, time
	// and data that produced the numbers.
	Provenance Provenance `json:"provenance"`
	// Prompts identifies the class names and templates (or class-specific
	// prompts) the run scored with: count, SHA-256, first items, source.
	Prompts *prompt.Record `json:"prompts,omitempty"`
	// ClassNames are the class names by label id, for readers that name
	// the classes (zsic report).
	ClassNames []string `json:"class_names"`
	// PredictionsCount and PredictionsSHA256 identify the predictions
	// file written with the report (--predictions), if any: its number of
	// lines and the SHA-256 of its bytes, so that a report and its
	// predictions can be matched (zsic report).
	PredictionsCount  int    `json:"predictions_count,omitempty"`
	PredictionsSHA256 string `json:"predictions_sha256,omitempty"`
	// FailureCount is the number of rows whose image could not be used;
	// Failures lists them, in row order.
	FailureCount int            `json:"failure_count"`
	Failures     []zsic.Failure `json:"failures,omitempty"`
}

// Placement is where ONNX Runtime ran one tower's nodes.
type Placement struct {
	// Nodes counts the nodes that ran, by provider, named as
	// execution_provider is ("CUDA", "CPU").
	Nodes map[string]int `json:"nodes"`
	// DeviceNodes is the number that ran on the report's
	// execution_provider; FallbackNodes the number that ran on others,
	// the CPU taking what the device's provider cannot run (0 on the CPU
	// itself). Providers that compile for the device count each part
	// they compiled as one node.
	DeviceNodes   int `json:"device_nodes"`
	FallbackNodes int `json:"fallback_nodes"`
}

// Dataset says what an evaluation ran on.
type Dataset struct {
	// Path is the dataset as given: a file, a folder or a Hub id.
	Path string `json:"path"`
	// Split is the split, for a Hub id.
	Split string `json:"split"`
	// Samples is the number of rows scored.
	Samples int `json:"samples"`
	// Shuffle and Seed say how --samples rows were drawn.
	Shuffle bool  `json:"shuffle"`
	Seed    int64 `json:"seed"`
	// Manifest is the pinned sample manifest, if one chose the rows.
	Manifest string `json:"manifest,omitempty"`
	// ColumnsMapping names the image and label columns.
	ColumnsMapping map[string]string `json:"columns_mapping"`
}

// Timings is the "timings" object of the report: where the run's time
// went, stage by stage, and what it cost the machine.
type Timings struct {
	// TextEncodeS is embedding the prompts (the text tower stage).
	TextEncodeS float64 `json:"text_encode_s"`
	// ImageEncodeS is the image phase: reading, decoding, preprocessing,
	// the image tower and scoring, overlapped.
	ImageEncodeS float64 `json:"image_encode_s"`
	// PerImageMS is ImageEncodeS per scored image.
	PerImageMS float64 `json:"per_image_ms"`
	// WallS is the whole evaluation, prompts included, and
	// WallPerImageMS the same per scored image.
	WallS          float64 `json:"wall_s"`
	WallPerImageMS float64 `json:"wall_per_image_ms"`
	// Stages adds up each stage's own time over every goroutine that ran
	// it, in seconds: with several workers, decode and preprocess can
	// exceed the wall time.
	Stages Stages `json:"stages"`
	// CPUS is the process's CPU time (user + system, every thread) during
	// the evaluation; CPUPerImageMS the same per scored image; CPUUsePercent
	// is CPUS over the wall time and the cores, 100 when every core was busy
	// throughout.
	CPUS          float64 `json:"cpu_s"`
	CPUPerImageMS float64 `json:"cpu_per_image_ms"`
	CPUUsePercent float64 `json:"cpu_use_percent"`
	// PeakRSSMiB is the process's peak resident memory (0 where the
	// platform does not report it).
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	// Cores, Threads, Workers and Streams are the cores the process could
	// use, the intra-op threads of each tower run, the decode/preprocess
	// workers and the image-tower runs in flight at once.
	Cores   int `json:"cores"`
	Threads int `json:"threads"`
	Workers int `json:"workers"`
	Streams int `json:"streams,omitempty"`
	// The cold start apart from the warm runs (zsic.TowerStats): OpenS
	// creates both sessions (graph partitioning and compilation for the
	// execution provider), the two sessions' times added up, although on
	// the CPU they load side by side; ImageTowerColdMS is the image tower's
	// first run, of ImageTowerColdBatch images; ImageTowerWarmPerImgMS its
	// later runs per image, the device's per-image latency once warm.
	OpenS                  float64 `json:"open_s"`
	ImageTowerColdMS       float64 `json:"image_tower_cold_ms"`
	ImageTowerColdBatch    int     `json:"image_tower_cold_batch"`
	ImageTowerWarmPerImgMS float64 `json:"image_tower_warm_per_image_ms"`
}

// Stages are the stage totals, in seconds.
type Stages struct {
	ReadS       float64 `json:"read_s"`
	DecodeS     float64 `json:"decode_s"`
	PreprocessS float64 `json:"preprocess_s"`
	ImageTowerS float64 `json:"image_tower_s"`
	TextTowerS  float64 `json:"text_tower_s"`
	ScoringS    float64 `json:"scoring_s"`
}

// PredictionsFile identifies a predictions file.
type PredictionsFile struct {
	// Path is the file as given to --predictions.
	Path string `json:"path"`
	// Count is its number of lines (predictions).
	Count int `json:"count"`
	// SHA256 is the hex SHA-256 of its bytes.
	SHA256 string `json:"sha256"`
}

// Encode writes r as indented JSON.
func (r *Report) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Decode parses a report, refusing another schema version. Unknown fields
// are ignored: they were added by a newer zsic within the same schema.
func Decode(data []byte) (*Report, error) {
	var head struct {
		Schema *int `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not a zsic JSON report: %w", err)
	}
	switch {
	case head.Schema == nil:
		return nil, fmt.Errorf("not a zsic JSON report of schema %d: no \"schema\" field (written by an older zsic? run zsic eval again)", Schema)
	case *head.Schema != Schema:
		return nil, fmt.Errorf("report schema %d, this zsic reads schema %d", *head.Schema, Schema)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("zsic JSON report: %w", err)
	}
	return &r, nil
}

// Read reads and decodes the report at path.
func Read(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	r, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", path, err)
	}
	return r, nil
}
