package tokenizer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SigLIPMaxLength is the sequence length the zero-shot pipeline pads and
// truncates SigLIP and SigLIP 2 prompts to (padding="max_length", max_length=64).
const SigLIPMaxLength = 64

// spModel is what the SigLIP conventions need from a model: its segmentation
// and the ids of special tokens.
type spModel interface {
	tokens(text string) []spToken
	lookup(piece string) (int, bool)
	withoutDummyPrefix() spModel
}

// SigLIP is the tokenizer of SigLIP (v1) as transformers' SiglipTokenizer
// applies it in the zero-shot pipeline: lowercase, punctuation removed,
// whitespace collapsed, the model's dummy prefix replaced by a leading "▁",
// "</s>" appended, padded with the pad token to 64 ids. It is safe for
// concurrent use.
type SigLIP struct {
	model    spModel // with its dummy prefix disabled
	lower    bool
	specials []string
	ids      map[string]int64
	unk      string
	unkLen   int
	eos, pad int64
	maxLen   int
}

// NewSigLIP returns the SigLIP tokenizer over a model loaded from
// spiece.model. cfg supplies do_lower_case (default true) and the eos,
// unk and pad tokens (defaults "</s>", "<unk>", "</s>").
func NewSigLIP(m *SentencePiece, cfg Config) (*SigLIP, error) {
	t := &SigLIP{model: m.withoutDummyPrefix(), lower: cfg.DoLowerCase == nil || *cfg.DoLowerCase,
		ids: map[string]int64{}, maxLen: SigLIPMaxLength}
	eos, unk, pad := spOr(cfg.EOSToken, "</s>"), spOr(cfg.UnkToken, "<unk>"), spOr(cfg.PadToken, "</s>")
	for _, s := range []string{eos, unk, pad} {
		id, ok := m.lookup(s)
		if !ok {
			return nil, fmt.Errorf("new siglip tokenizer: special token %q is not in the vocabulary", s)
		}
		if _, seen := t.ids[s]; !seen {
			t.specials = append(t.specials, s)
		}
		t.ids[s] = int64(id)
	}
	t.eos, t.pad = t.ids[eos], t.ids[pad]
	t.unk = unk
	t.unkLen = len(t.model.tokens(unk))
	return t, nil
}

// spOr returns tok, or def when tok is empty.
func spOr(tok Token, def string) string {
	if tok == "" {
		return def
	}
	return string(tok)
}

// Padding pads to 64 ids with the pad token, keeping "</s>" last.
func (t *SigLIP) Padding() Padding {
	return Padding{ID: t.pad, EndID: t.eos, MaxLength: t.maxLen, Fixed: true}
}

// Encode returns the ids of text ending with "</s>", at most 64 of them.
func (t *SigLIP) Encode(text string) []int64 {
	// SiglipTokenizer.tokenize, then PreTrainedTokenizer.tokenize.
	text = spSpace + strings.ReplaceAll(text, spSpace, " ")
	if t.lower {
		text = pyLower(text)
	}
	parts, special := spSplit(text, t.specials)
	for i := range parts {
		if !special[i] {
			continue
		}
		// The special tokens are AddedToken(lstrip=True, rstrip=True).
		if i+1 < len(parts) {
			parts[i+1] = strings.TrimLeftFunc(parts[i+1], spIsSpace)
		}
		if i > 0 {
			parts[i-1] = strings.TrimRightFunc(parts[i-1], spIsSpace)
		}
	}
	var toks []spToken
	for i, p := range parts {
		switch {
		case p == "":
		case special[i]:
			toks = append(toks, spToken{piece: p, id: int(t.ids[p])})
		default:
			// SiglipTokenizer._tokenize: encode "<unk>" + text and drop the
			// pieces of "<unk>", so that no dummy prefix is stripped.
			pt := t.model.tokens(t.unk + spCanonicalize(p))
			if len(pt) >= t.unkLen {
				pt = pt[t.unkLen:]
			}
			toks = append(toks, pt...)
		}
	}
	if len(toks) > 1 && toks[0].piece == spSpace && t.isSpecial(toks[1].piece) {
		toks = toks[1:]
	}
	ids := make([]int64, 0, len(toks)+1)
	for _, tk := range toks {
		ids = append(ids, int64(tk.id))
	}
	// Truncation keeps room for "</s>", which is added unless already last.
	if len(ids)+1 > t.maxLen {
		ids = ids[:t.maxLen-1]
	}
	if len(ids) == 0 || ids[len(ids)-1] != t.eos {
		ids = append(ids, t.eos)
	}
	return ids
}

// isSpecial reports whether piece is one of the special tokens.
func (t *SigLIP) isSpecial(piece string) bool {
	_, ok := t.ids[piece]
	return ok
}

// SigLIP2 is the tokenizer of SigLIP 2 (Gemma's BPE) as transformers'
// Siglip2Tokenizer applies it in the zero-shot pipeline: added tokens split
// off, the rest lowercased and segmented, "<bos>"/"<eos>" added as
// tokenizer_config.json's add_bos_token/add_eos_token say (SigLIP 2: only
// "<eos>"), padded with "<pad>" to 64 ids. It is safe for concurrent use.
type SigLIP2 struct {
	model          spModel
	added          []string
	prefix, suffix []int64
	pad, eos       int64
	maxLen         int
}

// NewSigLIP2 returns the SigLIP 2 tokenizer over a model loaded from
// tokenizer.json (or a Gemma tokenizer.model). cfg supplies the bos, eos and
// pad tokens (defaults "<bos>", "<eos>", "<pad>") and add_bos_token and
// add_eos_token (defaults false and true, as SigLIP 2 checkpoints set them).
func NewSigLIP2(model interface{ Encode(string) []int }, cfg Config) (*SigLIP2, error) {
	m, ok := model.(spModel)
	if !ok {
		return nil, fmt.Errorf("new siglip2 tokenizer: %T is not a SentencePiece model", model)
	}
	t := &SigLIP2{model: m, maxLen: SigLIPMaxLength}
	ids := map[string]int64{}
	for _, s := range []string{spOr(cfg.BOSToken, "<bos>"), spOr(cfg.EOSToken, "<eos>"), spOr(cfg.PadToken, "<pad>")} {
		id, ok := m.lookup(s)
		if !ok {
			return nil, fmt.Errorf("new siglip2 tokenizer: special token %q is not in the vocabulary", s)
		}
		ids[s] = int64(id)
	}
	bos, eos := ids[spOr(cfg.BOSToken, "<bos>")], ids[spOr(cfg.EOSToken, "<eos>")]
	t.pad, t.eos = ids[spOr(cfg.PadToken, "<pad>")], eos
	if cfg.AddBOS != nil && *cfg.AddBOS {
		t.prefix = []int64{bos}
	}
	if cfg.AddEOS == nil || *cfg.AddEOS {
		t.suffix = []int64{eos}
	} else {
		t.eos = -1
	}
	if sp, ok := m.(*SentencePiece); ok {
		// Gemma's slow tokenizer: control, unknown and user-defined pieces
		// are the added tokens.
		for _, p := range sp.pieces {
			if p.typ == spControl || p.typ == spUnknown || p.typ == spUserDefined {
				t.added = append(t.added, p.text)
			}
		}
	}
	return t, nil
}

// Padding pads to 64 ids with "<pad>", keeping "<eos>" last.
func (t *SigLIP2) Padding() Padding {
	return Padding{ID: t.pad, EndID: t.eos, MaxLength: t.maxLen, Fixed: true}
}

// Encode returns the ids of text with the configured special tokens, at most
// 64 of them.
func (t *SigLIP2) Encode(text string) []int64 {
	var body []int64
	if j, ok := t.model.(*SentencePieceJSON); ok {
		for _, tk := range j.tokensLower(text) {
			body = append(body, int64(tk.id))
		}
	} else {
		parts, special := spSplit(text, t.added)
		for i, p := range parts {
			if special[i] {
				id, _ := t.model.lookup(p)
				body = append(body, int64(id))
				continue
			}
			for _, tk := range t.model.tokens(pyLower(p)) {
				body = append(body, int64(tk.id))
			}
		}
	}
	if n := t.maxLen - len(t.prefix) - len(t.suffix); len(body) > n {
		body = body[:max(n, 0)]
	}
	ids := make([]int64, 0, len(t.prefix)+len(body)+len(t.suffix))
	ids = append(append(append(ids, t.prefix...), body...), t.suffix...)
	return ids
}

// loadSentencePiece loads the SentencePiece tokenizer of a SigLIP ("siglip")
// or SigLIP 2 ("siglip2") model folder. As in transformers, SigLIP reads only
// spiece.model (SiglipTokenizer has no fast version, so a tokenizer.json is
// ignored); SigLIP 2 reads tokenizer.json (GemmaTokenizerFast,
// Siglip2Tokenizer) and falls back to tokenizer.model or spiece.model.
func loadSentencePiece(dir, modelType string, cfg Config) (Tokenizer, error) {
	names := []string{"spiece.model"}
	if modelType == "siglip2" {
		names = []string{"tokenizer.json", "tokenizer.model", "spiece.model"}
	}
	for _, name := range names {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			continue
		}
		var (
			model interface{ Encode(string) []int }
			err   error
		)
		if strings.HasSuffix(name, ".json") {
			model, err = LoadSentencePieceJSON(path)
		} else {
			model, err = LoadSentencePiece(path)
		}
		if err != nil {
			return nil, err
		}
		var tok Tokenizer
		if sp, ok := model.(*SentencePiece); ok && modelType == "siglip" {
			tok, err = NewSigLIP(sp, cfg)
		} else {
			tok, err = NewSigLIP2(model, cfg)
		}
		if err != nil {
			return nil, fmt.Errorf("load tokenizer %s: %w", path, err)
		}
		return tok, nil
	}
	return nil, fmt.Errorf("load %s tokenizer: %s has none of %s", modelType, dir, strings.Join(names, ", "))
}
