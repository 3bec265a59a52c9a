package dataset

import (
	"encoding/json"
	"fmt"
)

// hfMetadataKey is the parquet key-value metadata key where the Hugging Face
// datasets library stores its features.
const hfMetadataKey = "huggingface"

// hfFeature is one entry of the features dictionary; only ClassLabel
// features carry names.
type hfFeature struct {
	Type  string   `json:"_type"`
	Names []string `json:"names"`
}

// classLabelNames returns the ClassLabel names of column in the Hugging Face
// metadata text meta, or nil if the column is not a ClassLabel.
func classLabelNames(meta, column string) ([]string, error) {
	var doc struct {
		Info struct {
			Features map[string]json.RawMessage `json:"features"`
		} `json:"info"`
	}
	if err := json.Unmarshal([]byte(meta), &doc); err != nil {
		return nil, fmt.Errorf("parse %q metadata: %w", hfMetadataKey, err)
	}
	raw, ok := doc.Info.Features[column]
	if !ok {
		return nil, nil
	}
	var f hfFeature
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, nil // Not a plain feature (e.g. a list): no names.
	}
	if f.Type != "ClassLabel" {
		return nil, nil
	}
	return f.Names, nil
}
