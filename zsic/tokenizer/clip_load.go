package tokenizer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// readVocabMerges reads a byte-level BPE model from a vocab.json (a JSON
// object of token → id) and a merges.txt (an optional "#version" line, then
// one merge a line: two tokens separated by a space, by rank).
func readVocabMerges(vocabPath, mergesPath string) (*bpeModel, error) {
	data, err := os.ReadFile(vocabPath)
	if err != nil {
		return nil, fmt.Errorf("read vocab: %w", err)
	}
	var vocab map[string]int64
	if err := json.Unmarshal(data, &vocab); err != nil {
		return nil, fmt.Errorf("parse vocab %s: want a JSON object of token to id: %w", vocabPath, err)
	}
	m, err := newBPEModel(vocab, vocabPath)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(mergesPath)
	if err != nil {
		return nil, fmt.Errorf("read merges: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if line == 1 && strings.HasPrefix(text, "#version") {
			continue
		}
		tokens := strings.Fields(text)
		if len(tokens) == 0 {
			continue
		}
		if len(tokens) != 2 {
			return nil, fmt.Errorf("%s:%d: merge %s: want two tokens separated by a space", mergesPath, line, quote(text))
		}
		if err := m.addMerge(tokens[0], tokens[1]); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", mergesPath, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read merges %s: %w", mergesPath, err)
	}
	if m.added == 0 {
		return nil, fmt.Errorf("%s: no merges: want one merge a line (\"a b\"), as the model's merges.txt has", mergesPath)
	}
	return m, nil
}

// hfTokenizerFile holds the fields of a Hugging Face tokenizer.json that a
// CLIP BPE model uses.
type hfTokenizerFile struct {
	AddedTokens []struct {
		ID      int64  `json:"id"`
		Content string `json:"content"`
	} `json:"added_tokens"`
	Model struct {
		Type            string            `json:"type"`
		Vocab           map[string]int64  `json:"vocab"`
		Merges          []json.RawMessage `json:"merges"`
		EndOfWordSuffix string            `json:"end_of_word_suffix"`
	} `json:"model"`
}

// readTokenizerJSON reads the BPE model of a Hugging Face tokenizer.json:
// model.vocab, model.merges (each "a b" or ["a", "b"]) and the added tokens.
// It assumes CLIP's normalizer and pre-tokenizer.
func readTokenizerJSON(path string) (*bpeModel, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read tokenizer: %w", err)
	}
	var file hfTokenizerFile
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("parse tokenizer %s: %w", path, err)
	}
	switch {
	case file.Model.Type != "BPE":
		return nil, fmt.Errorf("%s: model.type %q, want BPE", path, file.Model.Type)
	case file.Model.EndOfWordSuffix != endOfWord:
		return nil, fmt.Errorf("%s: model.end_of_word_suffix %q, want %q as CLIP has", path, file.Model.EndOfWordSuffix, endOfWord)
	case len(file.Model.Vocab) == 0:
		return nil, fmt.Errorf("%s: model.vocab is missing or empty", path)
	}
	vocab := file.Model.Vocab
	for _, t := range file.AddedTokens {
		if _, ok := vocab[t.Content]; !ok {
			vocab[t.Content] = t.ID
		}
	}
	m, err := newBPEModel(vocab, path)
	if err != nil {
		return nil, err
	}
	for i, raw := range file.Model.Merges {
		left, right, err := parseMerge(raw)
		if err == nil {
			err = m.addMerge(left, right)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: model.merges[%d]: %w", path, i, err)
		}
	}
	if m.added == 0 {
		return nil, fmt.Errorf("%s: model.merges is empty: a CLIP tokenizer needs its merges", path)
	}
	return m, nil
}

// parseMerge reads one tokenizer.json merge: "a b" (older files) or
// ["a", "b"] (newer ones).
func parseMerge(raw json.RawMessage) (left, right string, err error) {
	var s string
	var pair []string
	switch {
	case json.Unmarshal(raw, &s) == nil:
		pair = strings.Split(s, " ")
	case json.Unmarshal(raw, &pair) == nil:
	default:
		return "", "", fmt.Errorf("merge %s: want \"a b\" or [\"a\", \"b\"]", quote(string(raw)))
	}
	if len(pair) != 2 || pair[0] == "" || pair[1] == "" {
		return "", "", fmt.Errorf("merge %s: want two tokens", quote(string(raw)))
	}
	return pair[0], pair[1], nil
}
