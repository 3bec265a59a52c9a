package tokenizer

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzCLIP checks that any text encodes, without panicking, to the start
// token, ids of the vocabulary, and the end token, within the length limit,
// and that Encode is the untruncated ids cut to that limit.
func FuzzCLIP(f *testing.F) {
	for _, ref := range references(f) {
		f.Add(ref.Text)
	}
	for _, s := range []string{
		"", " ", "\x00", "\xff\xfe invalid \xc3", "<|endoftext|><|startoftext|>", "ΣΑΣ İ 🙂🙂🙂",
		"a\u0301\u0301\u0301", "'s's's", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ５６７", "\u202e\u200b\ufeff",
	} {
		f.Add(s)
	}
	c := sharedCLIP(f, Config{})
	var size int64
	for _, id := range c.model.vocab {
		size = max(size, id+1)
	}
	limit := c.Padding().MaxLength
	f.Fuzz(func(t *testing.T, text string) {
		ids := c.Encode(text)
		require.GreaterOrEqual(t, len(ids), 2)
		require.LessOrEqual(t, len(ids), limit)
		require.Equal(t, c.bos, ids[0])
		require.Equal(t, c.eos, ids[len(ids)-1])
		for _, id := range ids {
			require.True(t, 0 <= id && id < size, "id %d", id)
		}
		full := c.encode(text, 0)
		if len(full) <= limit {
			require.Equal(t, full, ids)
		} else {
			require.Equal(t, full[:limit-1], ids[:limit-1])
		}
		require.Equal(t, ids, c.Encode(text), "second Encode")
	})
}
