// Package tokenizer turns prompts into the input ids of a text encoder. It
// holds pure-Go ports of the tokenizers zsic's models use: OpenAI CLIP's
// byte-level BPE (clip.go) and SentencePiece unigram and BPE models
// (sentencepiece.go), as Hugging Face's tokenizers and pipeline apply them.
package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Tokenizer encodes one text into ids.
type Tokenizer interface {
	// Encode returns the ids of text with the model's special tokens,
	// truncated to Padding().MaxLength while keeping the end token.
	Encode(text string) []int64
	// Padding says how a batch of encoded texts is padded.
	Padding() Padding
}

// Padding describes how a batch of texts is padded and truncated.
type Padding struct {
	ID        int64 // pad token id
	EndID     int64 // token kept last when a sequence is truncated; -1 for none
	MaxLength int   // the model's maximum length (model_max_length)
	Fixed     bool  // pad every row to MaxLength (SigLIP) rather than to the longest row (CLIP)
}

// Batch is a padded batch of token ids, every row the same length.
type Batch struct {
	IDs  [][]int64 // token ids
	Mask [][]int64 // 1 for a token, 0 for padding
}

// Len returns the length of every row.
func (b Batch) Len() int {
	if len(b.IDs) == 0 {
		return 0
	}
	return len(b.IDs[0])
}

// Encode encodes texts with tok and pads them as the pipeline does. A length
// above zero pads or truncates every row to exactly that many tokens (a text
// encoder with a fixed sequence length); zero applies tok's own policy.
func Encode(tok Tokenizer, texts []string, length int) Batch {
	seqs := make([][]int64, len(texts))
	for i, t := range texts {
		seqs[i] = tok.Encode(t)
	}
	return tok.Padding().Pad(seqs, length)
}

// Pad pads seqs to one length: length if above zero, else MaxLength when
// Fixed, else the longest sequence. Rows longer than that are truncated,
// keeping EndID last when the row ended with it.
func (p Padding) Pad(seqs [][]int64, length int) Batch {
	if length <= 0 {
		if p.Fixed {
			length = p.MaxLength
		} else {
			for _, s := range seqs {
				length = max(length, len(s))
			}
		}
	}
	b := Batch{IDs: make([][]int64, len(seqs)), Mask: make([][]int64, len(seqs))}
	for i, s := range seqs {
		ids := make([]int64, length)
		mask := make([]int64, length)
		n := copy(ids, s)
		if len(s) > length && length > 0 && p.EndID >= 0 && s[len(s)-1] == p.EndID {
			ids[length-1] = p.EndID
		}
		for j := range mask[:n] {
			mask[j] = 1
		}
		for j := n; j < length; j++ {
			ids[j] = p.ID
		}
		b.IDs[i], b.Mask[i] = ids, mask
	}
	return b
}

// Config holds the tokenizer_config.json fields zsic uses.
type Config struct {
	ModelMaxLength float64 `json:"model_max_length"`
	DoLowerCase    *bool   `json:"do_lower_case"`
	AddBOS         *bool   `json:"add_bos_token"`
	AddEOS         *bool   `json:"add_eos_token"`
	BOSToken       Token   `json:"bos_token"`
	EOSToken       Token   `json:"eos_token"`
	PadToken       Token   `json:"pad_token"`
	UnkToken       Token   `json:"unk_token"`
	TokenizerClass string  `json:"tokenizer_class"`
}

// Token is a special token as tokenizer_config.json writes it: a string, or
// an object with a "content" field.
type Token string

// UnmarshalJSON accepts both the string and the object forms.
func (t *Token) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*t = Token(s)
		return nil
	}
	var obj struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal(data, &obj); err != nil {
		return fmt.Errorf("special token: want a string or {\"content\": ...}, got %s", data)
	}
	*t = Token(obj.Content)
	return nil
}

// LoadConfig reads dir/tokenizer_config.json. A missing file gives the zero
// Config and no error.
func LoadConfig(dir string) (Config, error) {
	var c Config
	path := filepath.Join(dir, "tokenizer_config.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read tokenizer config: %w", err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("parse tokenizer config %s: %w", path, err)
	}
	return c, nil
}

// Load reads the tokenizer of a model folder: modelType "clip" reads CLIP's
// BPE (tokenizer.json, or vocab.json + merges.txt); "siglip" and "siglip2"
// read SentencePiece (spiece.model or tokenizer.json).
func Load(dir, modelType string) (Tokenizer, error) {
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	switch modelType {
	case "clip":
		return loadCLIP(dir, cfg)
	case "siglip", "siglip2":
		return loadSentencePiece(dir, modelType, cfg)
	}
	return nil, fmt.Errorf("load tokenizer %s: unknown model type %q (want clip, siglip or siglip2)", dir, modelType)
}

// quote quotes text from a tokenizer file for a message, cut to its first
// 40 bytes: a hostile or binary file is neither echoed whole nor raw.
func quote(text string) string {
	const n = 40
	if len(text) <= n {
		return strconv.Quote(text)
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(text[:n]), len(text))
}
