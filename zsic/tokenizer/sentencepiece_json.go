package tokenizer

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// SentencePieceJSON is a Hugging Face tokenizer.json whose model is a
// SentencePiece-style "Unigram" or "BPE" (T5, SigLIP, Gemma, SigLIP 2): added
// tokens, normalizer, Metaspace pre-tokenizer, model and TemplateProcessing
// post-processor, applied as the tokenizers library does. It is immutable
// once loaded, so Encode is safe for concurrent use.
type SentencePieceJSON struct {
	model          *SentencePiece
	added          []spAdded
	normalizers    []func(string) string
	prepend        string // Metaspace prepend_scheme: "always", "first" or "never"
	replacement    string // Metaspace replacement, "" without a Metaspace
	split          bool   // Metaspace split
	prefix, suffix []int  // TemplateProcessing around the sequence
}

// spAdded is an entry of added_tokens.
type spAdded struct {
	ID         int    `json:"id"`
	Content    string `json:"content"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

// spJSONFile is the part of tokenizer.json that SentencePieceJSON reads.
type spJSONFile struct {
	AddedTokens   []spAdded       `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Model         struct {
		Type                    string          `json:"type"`
		Vocab                   json.RawMessage `json:"vocab"`
		Merges                  json.RawMessage `json:"merges"`
		UnkID                   *int            `json:"unk_id"`
		UnkToken                *string         `json:"unk_token"`
		ByteFallback            bool            `json:"byte_fallback"`
		FuseUnk                 bool            `json:"fuse_unk"`
		Dropout                 *float64        `json:"dropout"`
		ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
		EndOfWordSuffix         *string         `json:"end_of_word_suffix"`
	} `json:"model"`
}

// LoadSentencePieceJSON reads a tokenizer.json with a Unigram or BPE model.
func LoadSentencePieceJSON(path string) (*SentencePieceJSON, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load tokenizer.json: %w", err)
	}
	t, err := ParseSentencePieceJSON(data)
	if err != nil {
		return nil, fmt.Errorf("load tokenizer.json %s: %w", path, err)
	}
	return t, nil
}

// ParseSentencePieceJSON decodes the contents of a tokenizer.json.
func ParseSentencePieceJSON(data []byte) (*SentencePieceJSON, error) {
	var f spJSONFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	t := &SentencePieceJSON{added: f.AddedTokens, prepend: "never"}
	var err error
	if t.model, err = spJSONModel(&f); err != nil {
		return nil, err
	}
	if t.normalizers, err = spJSONNormalizers(f.Normalizer); err != nil {
		return nil, err
	}
	if err := t.parsePreTokenizer(f.PreTokenizer); err != nil {
		return nil, err
	}
	if err := t.parsePostProcessor(f.PostProcessor); err != nil {
		return nil, err
	}
	return t, nil
}

// spJSONModel builds the model section as a SentencePiece.
func spJSONModel(f *spJSONFile) (*SentencePiece, error) {
	m := &f.Model
	special := map[int]bool{}
	for _, a := range f.AddedTokens {
		special[a.ID] = true
	}
	var (
		pieces []spPiece
		kind   spModelType
		unk    = -1
	)
	switch m.Type {
	case "Unigram":
		kind = spUnigram
		var vocab [][2]json.RawMessage
		if err := json.Unmarshal(m.Vocab, &vocab); err != nil {
			return nil, fmt.Errorf("Unigram vocab: want [[piece, score], ...]: %w", err)
		}
		for i, v := range vocab {
			var p spPiece
			if err := json.Unmarshal(v[0], &p.text); err != nil {
				return nil, fmt.Errorf("Unigram vocab entry %d: %w", i, err)
			}
			var score float64
			if err := json.Unmarshal(v[1], &score); err != nil {
				return nil, fmt.Errorf("Unigram vocab entry %d: %w", i, err)
			}
			p.score = float32(score)
			pieces = append(pieces, p)
		}
		if m.UnkID != nil {
			unk = *m.UnkID
		}
	case "BPE":
		kind = spBPE
		if m.Dropout != nil || m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "" ||
			m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "" {
			return nil, fmt.Errorf("BPE with dropout, continuing_subword_prefix or end_of_word_suffix is not supported")
		}
		var vocab map[string]int
		if err := json.Unmarshal(m.Vocab, &vocab); err != nil {
			return nil, fmt.Errorf("BPE vocab: want {piece: id}: %w", err)
		}
		pieces = make([]spPiece, len(vocab))
		for s, id := range vocab {
			if id < 0 || id >= len(vocab) || pieces[id].text != "" {
				return nil, fmt.Errorf("BPE vocab: id %d of %q is out of range or repeated", id, s)
			}
			pieces[id] = spPiece{text: s}
		}
		if m.UnkToken != nil {
			if id, ok := vocab[*m.UnkToken]; ok {
				unk = id
			}
		}
	default:
		return nil, fmt.Errorf("model type %q is not supported (want Unigram or BPE)", m.Type)
	}
	for i := range pieces {
		pieces[i].typ = spNormal
		switch {
		case i == unk:
			pieces[i].typ = spUnknown
		case special[i]:
			pieces[i].typ = spControl
		case m.ByteFallback && len(pieces[i].text) == 6 && strings.HasPrefix(pieces[i].text, "<0x"):
			pieces[i].typ = spByte
		}
	}
	if unk < 0 {
		return nil, fmt.Errorf("%s model has no unknown token", m.Type)
	}
	sp, err := newSentencePiece(pieces, kind, m.ByteFallback)
	if err != nil {
		return nil, fmt.Errorf("%s model: %w", m.Type, err)
	}
	sp.fuseUnk = kind == spUnigram || m.FuseUnk
	if kind == spBPE {
		if sp.merges, err = spJSONMerges(m.Merges); err != nil {
			return nil, err
		}
	}
	return sp, nil
}

// spJSONMerges reads BPE merges, as "a b" strings or ["a", "b"] pairs.
func spJSONMerges(raw json.RawMessage) (map[string]int, error) {
	var list []json.RawMessage
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("BPE merges: want a list: %w", err)
		}
	}
	merges := make(map[string]int, len(list))
	for i, m := range list {
		var s string
		if json.Unmarshal(m, &s) != nil {
			var pair []string
			if err := json.Unmarshal(m, &pair); err != nil || len(pair) != 2 {
				return nil, fmt.Errorf("BPE merge %d: want \"a b\" or [\"a\", \"b\"], got %s", i, m)
			}
			s = pair[0] + " " + pair[1]
		}
		if _, dup := merges[s]; !dup {
			merges[s] = i
		}
	}
	return merges, nil
}

// spJSONNormalizers turns a normalizer section into a list of steps.
func spJSONNormalizers(raw json.RawMessage) ([]func(string) string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var n struct {
		Type        string            `json:"type"`
		Normalizers []json.RawMessage `json:"normalizers"`
		Charsmap    string            `json:"precompiled_charsmap"`
		Pattern     struct {
			String *string `json:"String"`
			Regex  *string `json:"Regex"`
		} `json:"pattern"`
		Content    string `json:"content"`
		Prepend    string `json:"prepend"`
		StripLeft  bool   `json:"strip_left"`
		StripRight bool   `json:"strip_right"`
	}
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, fmt.Errorf("normalizer: %w", err)
	}
	switch n.Type {
	case "Sequence":
		var steps []func(string) string
		for _, sub := range n.Normalizers {
			s, err := spJSONNormalizers(sub)
			if err != nil {
				return nil, err
			}
			steps = append(steps, s...)
		}
		return steps, nil
	case "Precompiled":
		blob, err := base64.StdEncoding.DecodeString(n.Charsmap)
		if err != nil {
			return nil, fmt.Errorf("Precompiled normalizer: %w", err)
		}
		m, err := parseSPCharsmap(blob)
		if err != nil {
			return nil, fmt.Errorf("Precompiled normalizer: %w", err)
		}
		nz := spNormalizer{charsmap: m}
		return []func(string) string{func(s string) string {
			var b strings.Builder
			for s != "" {
				r, k := nz.prefix(s)
				b.WriteString(r)
				s = s[k:]
			}
			return b.String()
		}}, nil
	case "Replace":
		switch {
		case n.Pattern.String != nil:
			from := *n.Pattern.String
			return []func(string) string{func(s string) string { return strings.ReplaceAll(s, from, n.Content) }}, nil
		case n.Pattern.Regex != nil:
			re, err := regexp.Compile(*n.Pattern.Regex)
			if err != nil {
				return nil, fmt.Errorf("Replace normalizer: %w", err)
			}
			return []func(string) string{func(s string) string { return re.ReplaceAllLiteralString(s, n.Content) }}, nil
		}
		return nil, fmt.Errorf("Replace normalizer: want a String or Regex pattern")
	case "Lowercase":
		return []func(string) string{pyLower}, nil
	case "Strip":
		left, right := n.StripLeft, n.StripRight
		return []func(string) string{func(s string) string {
			if left {
				s = strings.TrimLeftFunc(s, unicode.IsSpace)
			}
			if right {
				s = strings.TrimRightFunc(s, unicode.IsSpace)
			}
			return s
		}}, nil
	case "Prepend":
		p := n.Prepend
		return []func(string) string{func(s string) string {
			if s == "" {
				return s
			}
			return p + s
		}}, nil
	case "NFC":
		return []func(string) string{norm.NFC.String}, nil
	case "NFD":
		return []func(string) string{norm.NFD.String}, nil
	case "NFKC":
		return []func(string) string{norm.NFKC.String}, nil
	case "NFKD":
		return []func(string) string{norm.NFKD.String}, nil
	}
	return nil, fmt.Errorf("normalizer type %q is not supported", n.Type)
}

// parsePreTokenizer reads a null or Metaspace pre_tokenizer.
func (t *SentencePieceJSON) parsePreTokenizer(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var p struct {
		Type           string            `json:"type"`
		Replacement    string            `json:"replacement"`
		PrependScheme  string            `json:"prepend_scheme"`
		AddPrefixSpace *bool             `json:"add_prefix_space"`
		Split          *bool             `json:"split"`
		PreTokenizers  []json.RawMessage `json:"pretokenizers"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("pre_tokenizer: %w", err)
	}
	if p.Type == "Sequence" && len(p.PreTokenizers) == 1 {
		return t.parsePreTokenizer(p.PreTokenizers[0])
	}
	if p.Type != "Metaspace" {
		return fmt.Errorf("pre_tokenizer type %q is not supported (want Metaspace or none)", p.Type)
	}
	t.replacement, t.prepend, t.split = p.Replacement, p.PrependScheme, p.Split == nil || *p.Split
	if t.replacement == "" {
		t.replacement = spSpace
	}
	switch {
	case t.prepend == "" && p.AddPrefixSpace != nil && !*p.AddPrefixSpace:
		t.prepend = "never"
	case t.prepend == "":
		t.prepend = "always"
	case t.prepend != "always" && t.prepend != "first" && t.prepend != "never":
		return fmt.Errorf("Metaspace prepend_scheme %q is not supported", t.prepend)
	}
	return nil
}

// parsePostProcessor reads a null or TemplateProcessing post_processor.
func (t *SentencePieceJSON) parsePostProcessor(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var p struct {
		Type   string `json:"type"`
		Single []struct {
			SpecialToken *struct {
				ID string `json:"id"`
			} `json:"SpecialToken"`
			Sequence *struct{} `json:"Sequence"`
		} `json:"single"`
		SpecialTokens map[string]struct {
			IDs []int `json:"ids"`
		} `json:"special_tokens"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("post_processor: %w", err)
	}
	if p.Type != "TemplateProcessing" {
		return fmt.Errorf("post_processor type %q is not supported (want TemplateProcessing or none)", p.Type)
	}
	seen := false
	for _, item := range p.Single {
		switch {
		case item.Sequence != nil:
			seen = true
		case item.SpecialToken != nil:
			st, ok := p.SpecialTokens[item.SpecialToken.ID]
			if !ok {
				return fmt.Errorf("post_processor: special token %q has no ids", item.SpecialToken.ID)
			}
			if seen {
				t.suffix = append(t.suffix, st.IDs...)
			} else {
				t.prefix = append(t.prefix, st.IDs...)
			}
		}
	}
	return nil
}

// Encode returns the ids tokenizers gives text with add_special_tokens=True.
func (t *SentencePieceJSON) Encode(text string) []int {
	ids := append([]int(nil), t.prefix...)
	for _, tk := range t.tokens(text) {
		ids = append(ids, tk.id)
	}
	return append(ids, t.suffix...)
}

// tokens returns the pieces of text without the post-processor's tokens.
func (t *SentencePieceJSON) tokens(text string) []spToken { return t.encode(text, nil) }

// tokensLower is tokens with a Lowercase normalizer in front, as
// Siglip2Tokenizer installs it.
func (t *SentencePieceJSON) tokensLower(text string) []spToken {
	return t.encode(text, []func(string) string{pyLower})
}

// lookup returns the id of a piece or added token.
func (t *SentencePieceJSON) lookup(piece string) (int, bool) {
	for _, a := range t.added {
		if a.Content == piece {
			return a.ID, true
		}
	}
	return t.model.lookup(piece)
}

// withoutDummyPrefix returns a copy of t whose Metaspace prepends nothing.
func (t *SentencePieceJSON) withoutDummyPrefix() spModel {
	c := *t
	c.prepend = "never"
	return &c
}

// encode splits off added tokens, then normalizes (extra steps first),
// pre-tokenizes and segments the rest.
func (t *SentencePieceJSON) encode(text string, extra []func(string) string) []spToken {
	var raw, normalized []spAdded
	for _, a := range t.added {
		if a.Normalized {
			normalized = append(normalized, a)
		} else {
			raw = append(raw, a)
		}
	}
	var toks []spToken
	for i, part := range spSplitAdded(text, raw) {
		if part.added != nil {
			toks = append(toks, spToken{piece: part.text, id: part.added.ID})
			continue
		}
		s := part.text
		for _, f := range extra {
			s = f(s)
		}
		for _, f := range t.normalizers {
			s = f(s)
		}
		for j, sub := range spSplitAdded(s, normalized) {
			if sub.added != nil {
				toks = append(toks, spToken{piece: sub.text, id: sub.added.ID})
				continue
			}
			toks = append(toks, t.segment(sub.text, i == 0 && j == 0)...)
		}
	}
	return toks
}

// segment applies the Metaspace pre-tokenizer and the model to normalized text.
func (t *SentencePieceJSON) segment(s string, first bool) []spToken {
	if s == "" {
		return nil
	}
	if t.replacement == "" {
		return t.model.segment(s)
	}
	s = strings.ReplaceAll(s, " ", t.replacement)
	if (t.prepend == "always" || t.prepend == "first" && first) && !strings.HasPrefix(s, t.replacement) {
		s = t.replacement + s
	}
	if !t.split {
		return t.model.segment(s)
	}
	// Split before every replacement but a leading one (MergedWithNext).
	var toks []spToken
	for s != "" {
		n := strings.Index(s[1:], t.replacement)
		if n < 0 {
			n = len(s)
		} else {
			n++
		}
		toks = append(toks, t.model.segment(s[:n])...)
		s = s[n:]
	}
	return toks
}

// spPart is a piece of text, or an added token matched in it.
type spPart struct {
	text  string
	added *spAdded
}

// spSplitAdded splits text on added tokens (leftmost, then longest), letting
// a token with lstrip/rstrip take the whitespace beside it.
func spSplitAdded(text string, added []spAdded) []spPart {
	if len(added) == 0 {
		return []spPart{{text: text}}
	}
	contents := make([]string, len(added))
	byContent := make(map[string]*spAdded, len(added))
	for i := range added {
		contents[i] = added[i].Content
		byContent[added[i].Content] = &added[i]
	}
	texts, special := spSplit(text, contents)
	var parts []spPart
	for i, s := range texts {
		if !special[i] {
			parts = append(parts, spPart{text: s})
			continue
		}
		a := byContent[s]
		if a.LStrip && len(parts) > 0 && parts[len(parts)-1].added == nil {
			parts[len(parts)-1].text = strings.TrimRightFunc(parts[len(parts)-1].text, unicode.IsSpace)
		}
		if a.RStrip && i+1 < len(texts) && !special[i+1] {
			texts[i+1] = strings.TrimLeftFunc(texts[i+1], unicode.IsSpace)
		}
		parts = append(parts, spPart{text: s, added: a})
	}
	out := parts[:0]
	for _, p := range parts {
		if p.added != nil || p.text != "" {
			out = append(out, p)
		}
	}
	return out
}
