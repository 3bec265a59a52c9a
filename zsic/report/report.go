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
	// Dataset says what was evaluated.
	Dataset Dataset `json:"dataset"`
	// Metrics are the accuracies, in percent.
	Metrics zsic.Metrics `json:"metrics"`
	// Timings are the run's measured times.
	Timings Timings `json:"timings"`
	// Provenance identifies everything that produced the numbers.
	Provenance Provenance `json:"provenance"`
	// Predictions identifies the predictions file written with the
	// report, if any, so that a report and its predictions can be matched.
	Predictions *PredictionsFile `json:"predictions,omitempty"`
	// Failures counts the rows whose image could not be used.
	Failures Failures `json:"failures"`
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

// Timings are a run's measured times. Stages measured separately add their
// own fields here.
type Timings struct {
	// TextEncodeS is the time spent embedding the label prompts, in
	// seconds.
	TextEncodeS float64 `json:"text_encode_s"`
	// ImageEncodeS is the time spent reading, decoding, preprocessing and
	// embedding the images, in seconds.
	ImageEncodeS float64 `json:"image_encode_s"`
	// PerImageMS is ImageEncodeS per scored image, in milliseconds.
	PerImageMS float64 `json:"per_image_ms"`
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

// Failures counts the rows that could not be used, with the first few.
type Failures struct {
	// Count is the number of rows skipped.
	Count int `json:"count"`
	// First are the first MaxFailures of them, in row order.
	First []zsic.Failure `json:"first"`
}

// MaxFailures is how many failures a report lists.
const MaxFailures = 10

// NewFailures counts fs and keeps the first MaxFailures.
func NewFailures(fs []zsic.Failure) Failures {
	first := fs[:min(len(fs), MaxFailures)]
	if first == nil {
		first = []zsic.Failure{}
	}
	return Failures{Count: len(fs), First: first}
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
