package tokenizer

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// clipNormalize applies CLIPTokenizerFast's normalizer: NFC, every run of
// whitespace to one space (here also trimmed, which the pre-tokenizer would
// drop anyway), then lowercase. Invalid UTF-8 becomes U+FFFD, as a Python
// decode with errors="replace" would make it.
func clipNormalize(text string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = norm.NFC.String(text)
	text = strings.Join(strings.Fields(text), " ")
	return pyLower(text)
}
