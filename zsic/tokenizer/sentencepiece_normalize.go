package tokenizer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"
)

// spSpace is the meta symbol SentencePiece writes for a space (U+2581).
const spSpace = "\u2581"

// spCharsmap is a precompiled normalization map: a darts-clone double array
// over UTF-8 bytes whose values are offsets of NUL-terminated replacements.
type spCharsmap struct {
	units      []uint32
	normalized []byte
}

// parseSPCharsmap reads the precompiled_charsmap blob of a NormalizerSpec (or
// of a Hugging Face "Precompiled" normalizer): a little-endian uint32 trie
// size, the trie, then the replacement strings. An empty blob gives nil.
func parseSPCharsmap(blob []byte) (*spCharsmap, error) {
	if len(blob) == 0 {
		return nil, nil
	}
	if len(blob) < 4 {
		return nil, fmt.Errorf("precompiled charsmap: %d bytes, want at least 4", len(blob))
	}
	size := binary.LittleEndian.Uint32(blob)
	if size%4 != 0 || uint64(size) > uint64(len(blob)-4) {
		return nil, fmt.Errorf("precompiled charsmap: trie size %d does not fit in %d bytes", size, len(blob)-4)
	}
	m := &spCharsmap{units: make([]uint32, size/4), normalized: blob[4+size:]}
	for i := range m.units {
		m.units[i] = binary.LittleEndian.Uint32(blob[4+4*i:])
	}
	return m, nil
}

// longest returns the replacement of the longest key that prefixes s, and
// that key's length; 0 when no key matches.
func (m *spCharsmap) longest(s string) (string, int) {
	if m == nil || len(m.units) == 0 {
		return "", 0
	}
	unitOffset := func(u uint32) uint32 { return (u >> 10) << ((u & (1 << 9)) >> 6) }
	pos := unitOffset(m.units[0])
	var repl string
	n := 0
	for i := 0; i < len(s); i++ {
		pos ^= uint32(s[i])
		if int(pos) >= len(m.units) {
			break
		}
		u := m.units[pos]
		if u&((1<<31)|0xFF) != uint32(s[i]) {
			break
		}
		pos ^= unitOffset(u)
		if int(pos) >= len(m.units) {
			break
		}
		if (u>>8)&1 == 1 {
			v := int(m.units[pos] & ((1 << 31) - 1))
			if v < len(m.normalized) {
				r := m.normalized[v:]
				if end := bytes.IndexByte(r, 0); end >= 0 {
					r = r[:end]
				}
				repl, n = string(r), i+1
			}
		}
	}
	return repl, n
}

// spMatcher finds the longest user-defined symbol at the start of a string.
type spMatcher struct {
	symbols map[string]bool
	maxLen  int
}

// newSPMatcher returns a matcher for symbols, nil when there are none.
func newSPMatcher(symbols []string) *spMatcher {
	if len(symbols) == 0 {
		return nil
	}
	m := &spMatcher{symbols: make(map[string]bool, len(symbols))}
	for _, s := range symbols {
		m.symbols[s] = true
		m.maxLen = max(m.maxLen, len(s))
	}
	return m
}

// match returns the length of the longest symbol that prefixes s, or 0.
func (m *spMatcher) match(s string) int {
	if m == nil {
		return 0
	}
	for n := min(m.maxLen, len(s)); n > 0; n-- {
		if m.symbols[s[:n]] {
			return n
		}
	}
	return 0
}

// spNormalizer applies a NormalizerSpec as SentencePiece's Normalizer does.
type spNormalizer struct {
	charsmap               *spCharsmap
	user                   *spMatcher // user-defined symbols, left untouched
	addDummyPrefix         bool
	removeExtraWhitespaces bool
	escapeWhitespaces      bool
	whitespaceSuffix       bool // treat_whitespace_as_suffix
}

// prefix normalizes the first unit of s: a user-defined symbol, the longest
// charsmap key, or one UTF-8 character (an invalid byte becomes U+FFFD).
func (n *spNormalizer) prefix(s string) (string, int) {
	if k := n.user.match(s); k > 0 {
		return s[:k], k
	}
	if r, k := n.charsmap.longest(s); k > 0 {
		return r, k
	}
	r, k := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && k <= 1 {
		return "\uFFFD", 1
	}
	return s[:k], k
}

// normalize returns the normalized form of s that the model segments.
func (n *spNormalizer) normalize(s string) string {
	if n.removeExtraWhitespaces {
		for s != "" {
			r, k := n.prefix(s)
			if r != " " {
				break
			}
			s = s[k:]
		}
	}
	if s == "" {
		return ""
	}
	space := " "
	if n.escapeWhitespaces {
		space = spSpace
	}
	var b strings.Builder
	if n.addDummyPrefix && !n.whitespaceSuffix {
		b.WriteString(space)
	}
	prevSpace := n.removeExtraWhitespaces
	for s != "" {
		r, k := n.prefix(s)
		for prevSpace && strings.HasPrefix(r, " ") {
			r = r[1:]
		}
		if r != "" {
			if n.escapeWhitespaces {
				b.WriteString(strings.ReplaceAll(r, " ", spSpace))
			} else {
				b.WriteString(r)
			}
			prevSpace = strings.HasSuffix(r, " ")
		}
		s = s[k:]
		if !n.removeExtraWhitespaces {
			prevSpace = false
		}
	}
	out := b.String()
	if n.removeExtraWhitespaces {
		for strings.HasSuffix(out, space) {
			out = out[:len(out)-len(space)]
		}
	}
	if n.addDummyPrefix && n.whitespaceSuffix {
		out += space
	}
	return out
}
