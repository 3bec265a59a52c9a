package tokenizer

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
)

// Defaults of a CLIP tokenizer whose tokenizer_config.json leaves them out.
const (
	clipBOS       = "<|startoftext|>"
	clipEOS       = "<|endoftext|>"
	clipMaxLength = 77
	// clipMaxLengthCap bounds a credible model_max_length: Hugging Face
	// writes int(1e30) for "unset", which falls back to clipMaxLength.
	clipMaxLengthCap = 1 << 20
)

// clipWords is CLIP's pre-tokenizer pattern: the English contractions, runs
// of letters, single digits, and runs of anything else but whitespace. As in
// CLIPTokenizerFast it is case-sensitive (OpenAI's is not, which differs only
// where case folding joins letters, as "ſ" to "s"), and the special tokens
// are split off before it.
const clipWords = `'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`

// CLIP is OpenAI CLIP's byte-level BPE tokenizer as Hugging Face's
// CLIPTokenizerFast applies it: NFC, whitespace collapsed, lowercase, CLIP's
// pre-tokenizer pattern, byte-level BPE with a "</w>" end-of-word suffix,
// and the start and end tokens around the result. It is safe for concurrent
// use.
type CLIP struct {
	model    *bpeModel
	words    *regexp.Regexp   // clipWords
	special  *regexp.Regexp   // the special tokens, lowercased
	specials map[string]int64 // lowercased special token text → id
	bos, eos int64
	padding  Padding
	cache    *wordCache
}

// LoadCLIP reads the CLIP tokenizer of a model folder: tokenizer_config.json
// if present, and tokenizer.json, or else vocab.json and merges.txt.
func LoadCLIP(dir string) (*CLIP, error) {
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	return openCLIP(dir, cfg)
}

// NewCLIP builds a CLIP tokenizer from a vocab.json and a merges.txt (the
// files of Hugging Face's slow CLIPTokenizer) and the tokenizer_config.json
// fields in cfg.
func NewCLIP(vocabPath, mergesPath string, cfg Config) (*CLIP, error) {
	m, err := readVocabMerges(vocabPath, mergesPath)
	if err != nil {
		return nil, fmt.Errorf("load CLIP tokenizer: %w", err)
	}
	return newCLIP(m, cfg, vocabPath)
}

// NewCLIPFromTokenizerJSON builds a CLIP tokenizer from a Hugging Face
// tokenizer.json holding a BPE model with the "</w>" end-of-word suffix, and
// the tokenizer_config.json fields in cfg.
func NewCLIPFromTokenizerJSON(path string, cfg Config) (*CLIP, error) {
	m, err := readTokenizerJSON(path)
	if err != nil {
		return nil, fmt.Errorf("load CLIP tokenizer: %w", err)
	}
	return newCLIP(m, cfg, path)
}

// loadCLIP is Load's entry for model type "clip".
func loadCLIP(dir string, cfg Config) (Tokenizer, error) {
	c, err := openCLIP(dir, cfg)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// openCLIP prefers dir/tokenizer.json, as transformers' AutoTokenizer does,
// and falls back to vocab.json and merges.txt.
func openCLIP(dir string, cfg Config) (*CLIP, error) {
	path := filepath.Join(dir, "tokenizer.json")
	_, err := os.Stat(path)
	if err == nil {
		return NewCLIPFromTokenizerJSON(path, cfg)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("load CLIP tokenizer: %w", err)
	}
	vocab, merges := filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt")
	if _, err := os.Stat(vocab); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("load CLIP tokenizer %s: want tokenizer.json, or vocab.json and merges.txt", dir)
	}
	return NewCLIP(vocab, merges, cfg)
}

// newCLIP resolves cfg's special tokens and length against m; source names
// the model's file in errors.
func newCLIP(m *bpeModel, cfg Config, source string) (*CLIP, error) {
	token := func(field string, t Token, def string) (string, int64, error) {
		s := string(t)
		if s == "" {
			s = def
		}
		id, ok := m.vocab[s]
		if !ok {
			return s, 0, fmt.Errorf("load CLIP tokenizer %s: %s %q is not in the vocabulary", source, field, s)
		}
		return s, id, nil
	}
	bosText, bos, err := token("bos_token", cfg.BOSToken, clipBOS)
	if err != nil {
		return nil, err
	}
	eosText, eos, err := token("eos_token", cfg.EOSToken, clipEOS)
	if err != nil {
		return nil, err
	}
	_, pad, err := token("pad_token", cfg.PadToken, clipEOS)
	if err != nil {
		return nil, err
	}
	maxLen, err := clipLength(cfg.ModelMaxLength)
	if err != nil {
		return nil, fmt.Errorf("load CLIP tokenizer %s: %w", source, err)
	}
	// The text is lowercased before the special tokens are found in it.
	bosText, eosText = pyLower(bosText), pyLower(eosText)
	return &CLIP{
		model:    m,
		words:    regexp.MustCompile(clipWords),
		special:  regexp.MustCompile(regexp.QuoteMeta(bosText) + `|` + regexp.QuoteMeta(eosText)),
		specials: map[string]int64{bosText: bos, eosText: eos},
		bos:      bos,
		eos:      eos,
		padding:  Padding{ID: pad, EndID: eos, MaxLength: maxLen},
		cache:    newWordCache(),
	}, nil
}

// clipLength checks model_max_length: 0 (absent) or Hugging Face's huge
// "unset" value give CLIP's 77; a length must hold the start and end tokens.
func clipLength(v float64) (int, error) {
	switch {
	case v == 0 || v > clipMaxLengthCap:
		return clipMaxLength, nil
	case v < 2 || v != math.Trunc(v):
		return 0, fmt.Errorf("model_max_length %v: want a whole number of at least 2", v)
	}
	return int(v), nil
}

// Encode returns the ids of text between the start and end tokens, truncated
// to Padding().MaxLength with the end token kept last.
func (c *CLIP) Encode(text string) []int64 {
	n := c.padding.MaxLength
	ids := c.encode(text, n)
	if len(ids) > n {
		ids = ids[:n]
		ids[n-1] = c.eos
	}
	return ids
}

// Padding pads a batch to its longest row with the pad token, as the
// zero-shot pipeline does for CLIP.
func (c *CLIP) Padding() Padding { return c.padding }

// encode returns the untruncated ids of text with the start and end tokens.
// A limit above zero stops once the ids hold limit tokens or more, as
// truncation to limit would drop the rest.
//
// Special tokens written in the text are split off first, as Hugging Face's
// added tokens are, and encode as themselves; the text between them is split
// by clipWords and each word encoded by BPE.
func (c *CLIP) encode(text string, limit int) []int64 {
	ids := []int64{c.bos}
	full := func() bool { return limit > 0 && len(ids) >= limit }
	s := clipNormalize(text)
	for len(s) > 0 && !full() {
		seg, special := s, ""
		if loc := c.special.FindStringIndex(s); loc != nil {
			seg, special = s[:loc[0]], s[loc[0]:loc[1]]
		}
		s = s[len(seg)+len(special):]
		for len(seg) > 0 && !full() {
			loc := c.words.FindStringIndex(seg)
			if loc == nil {
				break
			}
			ids = append(ids, c.word(seg[loc[0]:loc[1]])...)
			seg = seg[loc[1]:]
		}
		if special != "" {
			ids = append(ids, c.specials[special])
		}
	}
	return append(ids, c.eos)
}

// word returns the BPE ids of one pre-tokenized word, from the cache when it
// has them. The result is shared: callers must not modify it.
func (c *CLIP) word(w string) []int64 {
	if ids, ok := c.cache.get(w); ok {
		return ids
	}
	ids := c.model.encodeWord(w)
	c.cache.put(w, ids)
	return ids
}
