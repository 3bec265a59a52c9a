package tokenizer

import (
	"strings"
	"unicode"
)

// spIsSpace reports whether r is whitespace to Python (str.isspace, and \s in
// re): Go's unicode.IsSpace plus the separators U+001C to U+001F.
func spIsSpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// spCanonicalize is SiglipTokenizer.canonicalize_text: drop ASCII punctuation
// (Python's string.punctuation), turn every run of whitespace into one space,
// and strip the ends.
func spCanonicalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	inSpace := false
	for _, r := range s {
		if r < 0x80 && unicode.IsPunct(r) || r < 0x80 && unicode.IsSymbol(r) {
			continue
		}
		if spIsSpace(r) {
			if !inSpace {
				b.WriteByte(' ')
			}
			inSpace = true
			continue
		}
		inSpace = false
		b.WriteRune(r)
	}
	return strings.TrimFunc(b.String(), spIsSpace)
}

// spSplit splits text on the tokens in specials, leftmost first and longest
// at a position, as transformers' Trie.split does. Parts alternate with the
// matches; special reports which parts are tokens.
func spSplit(text string, specials []string) (parts []string, special []bool) {
	last := 0
	for i := 0; i < len(text); {
		best := ""
		for _, s := range specials {
			if len(s) > len(best) && strings.HasPrefix(text[i:], s) {
				best = s
			}
		}
		if best == "" {
			i++
			continue
		}
		if i > last {
			parts, special = append(parts, text[last:i]), append(special, false)
		}
		parts, special = append(parts, best), append(special, true)
		i += len(best)
		last = i
	}
	if last < len(text) || len(parts) == 0 {
		parts, special = append(parts, text[last:]), append(special, false)
	}
	return parts, special
}
