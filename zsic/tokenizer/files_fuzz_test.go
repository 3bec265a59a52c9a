package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzTokenizerFiles loads any spiece.model, tokenizer.json, and
// vocab.json with merges.txt, as a model folder holds them: no panic, and
// a tokenizer that loads encodes prompts into a padded batch.
func FuzzTokenizerFiles(f *testing.F) {
	read := func(parts ...string) []byte {
		data, err := os.ReadFile(filepath.Join(append([]string{"..", "..", "fixtures"}, parts...)...))
		require.NoError(f, err)
		return data
	}
	vocab, err := json.Marshal(tinyVocab("ab", "ab</w>"))
	require.NoError(f, err)
	small := []byte("#version: 0.2\na b\na b</w>\n")
	f.Add([]byte{}, []byte("{}"), vocab, small)
	f.Add(read("tokenizer", "sentencepiece", "bpe", "spiece.model"), read("tokenizer", "sentencepiece", "bpe", "tokenizer.json"), vocab, small)
	f.Add([]byte{0x0a, 0x05, 0x0a, 0x01, 0x61, 0x15}, []byte(`{"model": {"type": "BPE", "vocab": {}, "merges": []}}`),
		read("models", "tiny-clip", "vocab.json"), read("models", "tiny-clip", "merges.txt"))
	f.Add([]byte{0x0a, 0x80}, []byte(`{"model": {"type": "Unigram", "vocab": [["a", -1.0]]}}`), []byte(`{"a": -1}`), []byte("\x00\xff\n"))
	texts := []string{"This is a photo of a maple tree.", "", "ΣΑΣ 🙂 \u202e <unk></s>"}
	f.Fuzz(func(t *testing.T, spiece, tokJSON, vocab, merges []byte) {
		for _, tc := range []struct {
			model string
			files map[string][]byte
		}{
			{"siglip", map[string][]byte{"spiece.model": spiece}},
			{"siglip2", map[string][]byte{"tokenizer.json": tokJSON}},
			{"clip", map[string][]byte{"tokenizer.json": tokJSON}},
			{"clip", map[string][]byte{"vocab.json": vocab, "merges.txt": merges}},
		} {
			dir := t.TempDir()
			for name, data := range tc.files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
			}
			tok, err := Load(dir, tc.model)
			if err != nil {
				require.Nil(t, tok)
				continue
			}
			b := Encode(tok, texts, 0)
			require.Len(t, b.IDs, len(texts))
			for i := range b.IDs {
				require.Len(t, b.IDs[i], b.Len())
				require.Len(t, b.Mask[i], b.Len())
			}
		}
	})
}
