package prompt

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// Summary identifies a list of strings (class names, templates, prompts)
// in a report without copying it whole.
type Summary struct {
	// Count is the number of items, repeats included.
	Count int `json:"count"`
	// SHA256 is the hex SHA-256 of the items sorted bytewise, each followed
	// by "\n": of a file of one item a line, `LC_ALL=C sort FILE | sha256sum`.
	SHA256 string `json:"sha256"`
	// First holds the first three items, in their order.
	First []string `json:"first"`
	// Source is the built-in set's name or the file it came from; "" for
	// the dataset's own or the default.
	Source string `json:"source,omitempty"`
}

// Summarize summarizes list, coming from source.
func Summarize(list []string, source string) Summary {
	sorted := slices.Clone(list)
	slices.Sort(sorted)
	h := sha256.New()
	for _, s := range sorted {
		h.Write([]byte(s))
		h.Write([]byte{'\n'})
	}
	return Summary{
		Count:  len(list),
		SHA256: hex.EncodeToString(h.Sum(nil)),
		First:  slices.Clone(list[:min(3, len(list))]),
		Source: source,
	}
}

// Record is what a run's report says about its text side: the class names
// and templates (or class-specific prompts) used, and how the prompts of a
// class became one embedding.
type Record struct {
	// ClassNames are the names put into the prompts, by label id.
	ClassNames Summary `json:"class_names"`
	// Templates are the templates; absent when CuPL prompts replaced them.
	Templates *Summary `json:"templates,omitempty"`
	// ClassPrompts summarizes every prompt embedded, all classes together.
	ClassPrompts Summary `json:"class_prompts"`
	// Ensemble says how a class's prompt embeddings were combined.
	Ensemble string `json:"ensemble"`
}

// EnsembleMethod is Record.Ensemble for open_clip's ensembling: L2-normalize
// each prompt's embedding, average, L2-normalize the mean.
const EnsembleMethod = "l2-normalize each prompt, mean, l2-normalize"
