package tokenizer

import (
	"fmt"
	"os"
)

// SentencePiece is a SentencePiece model, unigram or BPE, read from a
// spiece.model file (LoadSentencePiece) or from the model of a Hugging Face
// tokenizer.json (LoadSentencePieceJSON). It is immutable once loaded, so
// Encode is safe for concurrent use.
type SentencePiece struct {
	pieces       []spPiece
	vocab        map[string]int // normal, user-defined and unused pieces: what text can match
	reserved     map[string]int // control, unknown and byte pieces
	kind         spModelType
	unkID        int
	byteFallback bool
	byteIDs      [256]int
	norm         spNormalizer
	minScore     float32 // lowest score of a normal piece
	maxScore     float32 // highest score of a normal piece, at least FLT_MIN as in SentencePiece
	maxPieceLen  int
	merges       map[string]int // BPE from tokenizer.json: "left right" → rank; nil uses piece scores
	fuseUnk      bool           // merge runs of unknown pieces into one
}

// spToken is one piece of a segmentation and its id.
type spToken struct {
	piece string
	id    int
}

// LoadSentencePiece reads a SentencePiece model file (spiece.model,
// tokenizer.model). It accepts any unigram or BPE model spm_train writes.
func LoadSentencePiece(path string) (*SentencePiece, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load sentencepiece model: %w", err)
	}
	sp, err := ParseSentencePiece(data)
	if err != nil {
		return nil, fmt.Errorf("load sentencepiece model %s: %w", path, err)
	}
	return sp, nil
}

// ParseSentencePiece decodes a serialized SentencePiece ModelProto.
func ParseSentencePiece(data []byte) (*SentencePiece, error) {
	p, err := parseSPProto(data)
	if err != nil {
		return nil, err
	}
	if p.modelType != spUnigram && p.modelType != spBPE {
		return nil, fmt.Errorf("model type %d is not supported (want 1 unigram or 2 BPE)", p.modelType)
	}
	charsmap, err := parseSPCharsmap(p.charsmap)
	if err != nil {
		return nil, err
	}
	sp, err := newSentencePiece(p.pieces, p.modelType, p.byteFallback)
	if err != nil {
		return nil, err
	}
	// SentencePiece's unigram model emits a run of unknown characters as one piece.
	sp.fuseUnk = p.modelType == spUnigram
	sp.norm = spNormalizer{
		charsmap:               charsmap,
		user:                   sp.norm.user,
		addDummyPrefix:         p.addDummyPrefix,
		removeExtraWhitespaces: p.removeExtraWhitespaces,
		escapeWhitespaces:      p.escapeWhitespaces,
		whitespaceSuffix:       p.treatWhitespaceSuffix,
	}
	return sp, nil
}

// newSentencePiece indexes pieces as SentencePiece's ModelInterface does. The
// normalizer is left for the caller to fill in, but for user-defined symbols.
func newSentencePiece(pieces []spPiece, kind spModelType, byteFallback bool) (*SentencePiece, error) {
	sp := &SentencePiece{
		pieces:       pieces,
		vocab:        make(map[string]int, len(pieces)),
		reserved:     make(map[string]int),
		kind:         kind,
		unkID:        -1,
		byteFallback: byteFallback,
		minScore:     float32(3.4028234663852886e38),
		maxScore:     float32(1.1754943508222875e-38),
	}
	var user []string
	for i, p := range pieces {
		if p.text == "" {
			return nil, fmt.Errorf("piece %d is empty", i)
		}
		m := sp.reserved
		if p.typ == spNormal || p.typ == spUserDefined || p.typ == spUnused {
			m = sp.vocab
			sp.maxPieceLen = max(sp.maxPieceLen, len(p.text))
		}
		if _, dup := m[p.text]; dup {
			return nil, fmt.Errorf("piece %d %q is defined twice", i, p.text)
		}
		m[p.text] = i
		switch p.typ {
		case spNormal:
			sp.minScore = min(sp.minScore, p.score)
			sp.maxScore = max(sp.maxScore, p.score)
		case spUserDefined:
			user = append(user, p.text)
		case spUnknown:
			if sp.unkID >= 0 {
				return nil, fmt.Errorf("pieces %d and %d are both the unknown piece", sp.unkID, i)
			}
			sp.unkID = i
		}
	}
	if sp.unkID < 0 {
		return nil, fmt.Errorf("model has no unknown piece")
	}
	for b := range sp.byteIDs {
		sp.byteIDs[b] = -1
		if id, ok := sp.reserved[spBytePiece(byte(b))]; ok && pieces[id].typ == spByte {
			sp.byteIDs[b] = id
		}
	}
	sp.norm.user = newSPMatcher(user)
	return sp, nil
}

// spBytePiece is the piece of a byte-fallback byte, e.g. "<0x0A>".
func spBytePiece(b byte) string { return fmt.Sprintf("<0x%02X>", b) }

// Len returns the number of pieces in the vocabulary.
func (sp *SentencePiece) Len() int { return len(sp.pieces) }

// PieceToID returns the id of piece, or the unknown id when it has none.
func (sp *SentencePiece) PieceToID(piece string) int {
	if id, ok := sp.lookup(piece); ok {
		return id
	}
	return sp.unkID
}

// lookup returns the id of piece and whether the vocabulary has it.
func (sp *SentencePiece) lookup(piece string) (int, bool) {
	if id, ok := sp.vocab[piece]; ok {
		return id, true
	}
	id, ok := sp.reserved[piece]
	return id, ok
}

// Encode returns the ids SentencePiece gives text (spm_encode --output_format=id):
// the model's normalization, then its segmentation, with byte fallback.
func (sp *SentencePiece) Encode(text string) []int {
	toks := sp.tokens(text)
	ids := make([]int, len(toks))
	for i, t := range toks {
		ids[i] = t.id
	}
	return ids
}

// tokens normalizes and segments text.
func (sp *SentencePiece) tokens(text string) []spToken {
	return sp.segment(sp.norm.normalize(text))
}

// withoutDummyPrefix returns a copy of sp whose normalizer adds no dummy
// prefix, the way SiglipTokenizer loads its model.
func (sp *SentencePiece) withoutDummyPrefix() spModel {
	c := *sp
	c.norm.addDummyPrefix = false
	return &c
}

// segment splits normalized text into pieces and resolves unknown pieces.
func (sp *SentencePiece) segment(normalized string) []spToken {
	if normalized == "" {
		return nil
	}
	var toks []spToken
	if sp.kind == spBPE {
		toks = sp.bpe(normalized)
	} else {
		toks = sp.viterbi(normalized)
	}
	return sp.resolveUnknown(toks)
}

// resolveUnknown expands unknown pieces into byte pieces where the model has
// byte fallback, and fuses runs of unknown pieces where fuseUnk is set.
func (sp *SentencePiece) resolveUnknown(toks []spToken) []spToken {
	out := toks[:0:0]
	for _, t := range toks {
		if t.id != sp.unkID {
			out = append(out, t)
			continue
		}
		if sp.byteFallback {
			bytes := make([]spToken, 0, len(t.piece))
			for i := 0; i < len(t.piece); i++ {
				id := sp.byteIDs[t.piece[i]]
				if id < 0 {
					bytes = nil
					break
				}
				bytes = append(bytes, spToken{piece: spBytePiece(t.piece[i]), id: id})
			}
			if bytes != nil {
				out = append(out, bytes...)
				continue
			}
		}
		if sp.fuseUnk && len(out) > 0 && out[len(out)-1].id == sp.unkID {
			out[len(out)-1].piece += t.piece
			continue
		}
		out = append(out, t)
	}
	return out
}

// spOneCharLen is the length SentencePiece gives the UTF-8 character that
// starts with byte c.
func spOneCharLen(c byte) int {
	return int("\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x02\x02\x03\x04"[c>>4])
}

// viterbi is SentencePiece's unigram segmentation (EncodeOptimized): the
// segmentation with the highest total score, unknown characters scoring
// min score - 10 and user-defined pieces always winning.
func (sp *SentencePiece) viterbi(s string) []spToken {
	type node struct {
		id       int
		score    float32
		startsAt int
	}
	const unkPenalty = 10.0
	unkScore := sp.minScore - unkPenalty
	best := make([]node, len(s)+1)
	for i := range best {
		best[i].startsAt = -1
	}
	for start := 0; start < len(s); {
		till := best[start].score
		mblen := min(spOneCharLen(s[start]), len(s)-start)
		single := false
		for end := start + 1; end <= len(s) && end-start <= sp.maxPieceLen; end++ {
			id, ok := sp.vocab[s[start:end]]
			if !ok || sp.pieces[id].typ == spUnused {
				continue
			}
			length := end - start
			score := sp.pieces[id].score
			if sp.pieces[id].typ == spUserDefined {
				score = float32(float64(float32(length)*sp.maxScore) - 0.1)
			}
			cand := score + till
			if best[end].startsAt == -1 || cand > best[end].score {
				best[end] = node{id: id, score: cand, startsAt: start}
			}
			if length == mblen {
				single = true
			}
		}
		if !single {
			end := start + mblen
			cand := unkScore + till
			if best[end].startsAt == -1 || cand > best[end].score {
				best[end] = node{id: sp.unkID, score: cand, startsAt: start}
			}
		}
		start += mblen
	}
	var toks []spToken
	for end := len(s); end > 0; {
		n := best[end]
		toks = append(toks, spToken{piece: s[n.startsAt:end], id: n.id})
		end = n.startsAt
	}
	for i, j := 0, len(toks)-1; i < j; i, j = i+1, j-1 {
		toks[i], toks[j] = toks[j], toks[i]
	}
	return toks
}

// bpe is SentencePiece's BPE segmentation: starting from characters (and
// whole user-defined symbols), it merges the adjacent pair whose merged piece
// scores highest (or, for a tokenizer.json model, whose merge ranks first),
// leftmost first, until no pair merges.
func (sp *SentencePiece) bpe(s string) []spToken {
	type symbol struct {
		piece  string
		freeze bool
	}
	var syms []symbol
	for s != "" {
		n := sp.norm.user.match(s)
		freeze := n > 0
		if !freeze {
			n = min(spOneCharLen(s[0]), len(s))
		}
		syms = append(syms, symbol{piece: s[:n], freeze: freeze})
		s = s[n:]
	}
	revMerge := map[string][2]string{}
	priority := func(i int) (float64, bool) {
		l, r := syms[i], syms[i+1]
		if l.freeze || r.freeze {
			return 0, false
		}
		if sp.merges != nil {
			rank, ok := sp.merges[l.piece+" "+r.piece]
			return -float64(rank), ok
		}
		id, ok := sp.vocab[l.piece+r.piece]
		if !ok {
			return 0, false
		}
		return float64(sp.pieces[id].score), true
	}
	type pair struct {
		score float64
		ok    bool
	}
	pairs := make([]pair, max(len(syms)-1, 0))
	for i := range pairs {
		pairs[i].score, pairs[i].ok = priority(i)
	}
	for {
		best := -1
		for i, p := range pairs {
			if p.ok && (best < 0 || p.score > pairs[best].score) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		l, r := syms[best].piece, syms[best+1].piece
		merged := l + r
		if id, ok := sp.vocab[merged]; ok && sp.pieces[id].typ == spUnused {
			revMerge[merged] = [2]string{l, r}
		}
		syms[best].piece = merged
		syms = append(syms[:best+1], syms[best+2:]...)
		pairs = append(pairs[:best], pairs[best+1:]...)
		if best > 0 {
			pairs[best-1].score, pairs[best-1].ok = priority(best - 1)
		}
		if best < len(pairs) {
			pairs[best].score, pairs[best].ok = priority(best)
		}
	}
	var toks []spToken
	var resegment func(w string)
	resegment = func(w string) {
		id := sp.PieceToID(w)
		if parts, ok := revMerge[w]; ok && sp.pieces[id].typ == spUnused {
			resegment(parts[0])
			resegment(parts[1])
			return
		}
		toks = append(toks, spToken{piece: w, id: id})
	}
	for _, sym := range syms {
		resegment(sym.piece)
	}
	return toks
}
