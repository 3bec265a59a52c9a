package regress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/zsic/zsic/zsic"
)

// Golden is the recorded outcome of one case: what ran, on which sample,
// the metrics, the band a later run must stay within, and each sample's
// five best labels. Its JSON has a fixed key order and one prediction per
// line, so diffs read well.
type Golden struct {
	Summary
	// Predictions are the samples in dataset row order.
	Predictions []Record `json:"predictions"`
}

// Summary is everything in a golden but the predictions.
type Summary struct {
	// Case is the case's name, e.g. "CLIP/tiny-clip/fp32".
	Case string `json:"case"`
	// Model identifies the model that ran.
	Model ModelInfo `json:"model"`
	// Dataset identifies the sample.
	Dataset DatasetInfo `json:"dataset"`
	// Runtime is the ONNX Runtime version.
	Runtime string `json:"onnxruntime"`
	// Device is the execution provider that ran the case (ZSIC_DEVICE);
	// goldens recorded before devices were named have none and were
	// recorded on the CPU (see DeviceOf).
	Device string `json:"device,omitempty"`
	// Samples is the number of samples scored.
	Samples int `json:"samples"`
	// Metrics are the accuracies in percent, rounded to four decimals.
	Metrics zsic.Metrics `json:"metrics"`
	// Band is how far a later run may drift, and why.
	Band Band `json:"band"`
}

// ModelInfo identifies a model: its folder, variant and tower files.
type ModelInfo struct {
	// Path is the model folder, relative to the repository root, or the
	// Hub id of a real model found under $ZSIC_MODELS_DIR.
	Path string `json:"path"`
	// Type is config.json's model_type.
	Type string `json:"type"`
	// Variant is "fp32" or the Transformers.js variant, e.g. "quantized".
	Variant string `json:"variant"`
	// Towers maps each role to its ONNX file.
	Towers map[zsic.Role]Tower `json:"towers"`
}

// Tower is one ONNX file of a model.
type Tower struct {
	// File is the path relative to the model folder.
	File string `json:"file"`
	// SHA256 is the hex SHA-256 of the file's bytes.
	SHA256 string `json:"sha256"`
}

// DatasetInfo identifies a sample: the dataset and the pinned manifest
// whose first rows were used.
type DatasetInfo struct {
	// Name is the dataset, e.g. "uoft-cs/cifar100".
	Name string `json:"name"`
	// Split is the split, e.g. "test".
	Split string `json:"split"`
	// Manifest is the manifest's path, relative to the repository root.
	Manifest string `json:"manifest"`
	// ManifestSHA256 is the hex SHA-256 of the manifest file's bytes.
	ManifestSHA256 string `json:"manifest_sha256"`
	// ManifestRows is how many of the manifest's rows, from the first,
	// make the sample.
	ManifestRows int `json:"manifest_rows"`
}

// Record is one sample's outcome.
type Record struct {
	// Row is the sample's row in the dataset file.
	Row int `json:"row"`
	// Pixels is the first 16 hex digits of the SHA-256 of the row's RGB
	// pixels (dataset.PixelHash): records are matched on it, so a golden
	// holds for any copy of the dataset, whatever its row order.
	Pixels string `json:"pixels"`
	// Label is the true class id.
	Label int `json:"label"`
	// Top5 are the five best class ids, best first.
	Top5 []int `json:"top5"`
}

// Top1 returns the predicted label, or -1 when there is none.
func (r Record) Top1() int {
	if len(r.Top5) == 0 {
		return -1
	}
	return r.Top5[0]
}

// Encode writes g as indented JSON with one prediction per line;
// DecodeGolden reads it back.
func (g *Golden) Encode(w io.Writer) error {
	head, err := json.MarshalIndent(g.Summary, "", "  ")
	if err != nil {
		return fmt.Errorf("encode golden %s: %w", g.Case, err)
	}
	var b bytes.Buffer
	b.Write(bytes.TrimSuffix(head, []byte("\n}")))
	b.WriteString(",\n  \"predictions\": [")
	for i, r := range g.Predictions {
		line, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode golden %s: %w", g.Case, err)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		b.Write(line)
	}
	b.WriteString("\n  ]\n}\n")
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("encode golden %s: %w", g.Case, err)
	}
	return nil
}

// Bytes returns g as Encode writes it.
func (g *Golden) Bytes() ([]byte, error) {
	var b bytes.Buffer
	err := g.Encode(&b)
	return b.Bytes(), err
}

// DeviceOf returns the device that recorded g, "cpu" when it names none.
func (g *Golden) DeviceOf() string { return deviceOf(g.Device) }

// DecodeGolden parses a golden file's bytes.
func DecodeGolden(data []byte) (*Golden, error) {
	var g Golden
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf("decode golden: %w", err)
	}
	if g.Case == "" || g.Samples != len(g.Predictions) {
		return nil, fmt.Errorf("decode golden %q: want a case name and one prediction per sample, got %d predictions for %d samples", g.Case, len(g.Predictions), g.Samples)
	}
	return &g, nil
}
