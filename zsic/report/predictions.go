package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/zsic/zsic/zsic"
)

// EncodePredictions writes one JSON line per prediction to w and returns
// the file's identity (Path left empty): the number of lines and the
// SHA-256 of the bytes written.
func EncodePredictions(w io.Writer, preds []zsic.Prediction) (PredictionsFile, error) {
	h := sha256.New()
	enc := json.NewEncoder(io.MultiWriter(w, h))
	for _, p := range preds {
		if err := enc.Encode(p); err != nil {
			return PredictionsFile{}, err
		}
	}
	return PredictionsFile{Count: len(preds), SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// ReadPredictions reads a predictions file (one JSON object per line, as
// `zsic eval --predictions` writes it) and checks each line: known fields
// only, a row index and a label ≥ 0, one to five ranked labels ≥ 0 with a
// score each, and no row twice. The returned file identity has the path,
// count and SHA-256.
func ReadPredictions(path string) ([]zsic.Prediction, PredictionsFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, PredictionsFile{}, fmt.Errorf("read predictions: %w", err)
	}
	preds, err := DecodePredictions(data)
	if err != nil {
		return nil, PredictionsFile{}, fmt.Errorf("predictions %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	return preds, PredictionsFile{Path: path, Count: len(preds), SHA256: hex.EncodeToString(sum[:])}, nil
}

// DecodePredictions parses and checks the bytes of a predictions file; see
// ReadPredictions.
func DecodePredictions(data []byte) ([]zsic.Prediction, error) {
	var preds []zsic.Prediction
	seen := map[int]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var p zsic.Prediction
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("line %d: want a JSON object {\"index\", \"label\", \"top5\", \"scores\"}: %w", line, err)
		}
		if err := checkPrediction(p); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if prev, ok := seen[p.Row]; ok {
			return nil, fmt.Errorf("line %d: row %d is already on line %d", line, p.Row, prev)
		}
		seen[p.Row] = line
		preds = append(preds, p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(preds) == 0 {
		return nil, errors.New("no predictions: the file is empty")
	}
	return preds, nil
}

// checkPrediction checks one prediction's values.
func checkPrediction(p zsic.Prediction) error {
	switch {
	case p.Row < 0:
		return fmt.Errorf("negative row index %d", p.Row)
	case p.Label < 0:
		return fmt.Errorf("row %d: negative label %d", p.Row, p.Label)
	case len(p.Top5) == 0 || len(p.Top5) > 5:
		return fmt.Errorf("row %d: want 1 to 5 ranked labels in top5, got %d", p.Row, len(p.Top5))
	case len(p.Scores) != len(p.Top5):
		return fmt.Errorf("row %d: %d scores for %d ranked labels", p.Row, len(p.Scores), len(p.Top5))
	}
	for _, l := range p.Top5 {
		if l < 0 {
			return fmt.Errorf("row %d: negative label %d in top5", p.Row, l)
		}
	}
	return nil
}

// CheckLabels checks that every label in preds (true and ranked) names one
// of numClasses classes; what names them (a report, a labels file, a
// dataset) is in the error's context.
func CheckLabels(preds []zsic.Prediction, numClasses int) error {
	for i, p := range preds {
		if p.Label >= numClasses {
			return fmt.Errorf("prediction %d (row %d): label %d is not one of the %d classes", i+1, p.Row, p.Label, numClasses)
		}
		for _, l := range p.Top5 {
			if l >= numClasses {
				return fmt.Errorf("prediction %d (row %d): predicted label %d is not one of the %d classes", i+1, p.Row, l, numClasses)
			}
		}
	}
	return nil
}
