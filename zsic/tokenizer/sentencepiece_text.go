package tokenizer

import (
	"strings"
	"unicode"
)

// spIsSpace reports whether r is whitespace to Python (str.isspace, and \s in
// re): Go's unicode.IsSpace plus the separators U+001C to U+001F.
func spIsSpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// spLower lowercases s as Python's str.lower (and Rust's str::to_lowercase)
// do: full case mapping, so "İ" becomes "i̇", and a capital sigma at the end
// of a word becomes "ς".
func spLower(s string) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range rs {
		switch {
		case r == 'İ':
			b.WriteString("i\u0307")
		case r == 'Σ' && spFinalSigma(rs, i):
			b.WriteRune('ς')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// spFinalSigma applies Unicode's Final_Sigma condition at rs[i]: a cased
// letter before it and none after it, skipping case-ignorable characters.
func spFinalSigma(rs []rune, i int) bool {
	j := i - 1
	for j >= 0 && spCaseIgnorable(rs[j]) {
		j--
	}
	if j < 0 || !spCased(rs[j]) {
		return false
	}
	j = i + 1
	for j < len(rs) && spCaseIgnorable(rs[j]) {
		j++
	}
	return j == len(rs) || !spCased(rs[j])
}

// spCased approximates Unicode's Cased property.
func spCased(r rune) bool {
	return unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

// spCaseIgnorable approximates Unicode's Case_Ignorable property.
func spCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '^', '`', 0xB7, 0x2018, 0x2019, 0x2024, 0x2027:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

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
