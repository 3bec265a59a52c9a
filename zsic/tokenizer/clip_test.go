package tokenizer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
)

// refLine is a line of reference_ids.jsonl: OpenAI's tokenizer's ids.
type refLine struct {
	Text string  `json:"text"`
	IDs  []int64 `json:"ids"`
}

// readJSONL decodes every line of a JSON-lines file.
func readJSONL[T any](t testing.TB, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v T
		require.NoError(t, json.Unmarshal(sc.Bytes(), &v), "%s: %s", path, sc.Text())
		out = append(out, v)
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, out, path)
	return out
}

// clipFiles returns the shared CLIP vocab.json and merges.txt.
func clipFiles(t testing.TB) (vocab, merges string) {
	return testenv.DataFile(t, "tokenizers/clip/vocab.json"), testenv.DataFile(t, "tokenizers/clip/merges.txt")
}

// sharedCLIP loads the shared CLIP tokenizer with cfg.
func sharedCLIP(t testing.TB, cfg Config) *CLIP {
	t.Helper()
	vocab, merges := clipFiles(t)
	c, err := NewCLIP(vocab, merges, cfg)
	require.NoError(t, err)
	return c
}

// references returns the lines of reference_ids.jsonl.
func references(t testing.TB) []refLine {
	return readJSONL[refLine](t, testenv.DataFile(t, "tokenizers/clip/reference_ids.jsonl"))
}

func TestCLIPReference(t *testing.T) {
	c := sharedCLIP(t, Config{})
	for _, ref := range references(t) {
		require.Equal(t, ref.IDs, c.encode(ref.Text, 0), "untruncated %q", ref.Text)
		if len(ref.IDs) <= c.Padding().MaxLength {
			require.Equal(t, ref.IDs, c.Encode(ref.Text), "Encode %q", ref.Text)
		}
	}
}

func TestCLIPNormalize(t *testing.T) {
	type line struct {
		Text       string `json:"text"`
		Normalized string `json:"normalized"`
	}
	lines := readJSONL[line](t, filepath.Join(testenv.Root(t), "fixtures", "tokenizer", "clip", "normalize.jsonl"))
	for _, l := range lines {
		require.Equal(t, l.Normalized, clipNormalize(l.Text), "normalize %q", l.Text)
	}
}

// TestCLIPAlphabet checks the byte-level alphabet against the vocabulary:
// OpenAI's vocabulary starts with the 256 byte symbols, then the same with
// the end-of-word suffix.
func TestCLIPAlphabet(t *testing.T) {
	vocabPath, _ := clipFiles(t)
	data, err := os.ReadFile(vocabPath)
	require.NoError(t, err)
	var vocab map[string]int64
	require.NoError(t, json.Unmarshal(data, &vocab))
	for _, tc := range []struct {
		suffix string
		first  int64
	}{{"", 0}, {endOfWord, 256}} {
		seen := make(map[int64]bool)
		for _, r := range byteAlphabet() {
			id, ok := vocab[string(r)+tc.suffix]
			require.True(t, ok, "symbol %q%s", r, tc.suffix)
			require.True(t, tc.first <= id && id < tc.first+256, "symbol %q%s has id %d", r, tc.suffix, id)
			seen[id] = true
		}
		require.Len(t, seen, 256, "distinct ids of suffix %q", tc.suffix)
	}
}

// writeTokenizerJSON writes a tokenizer.json for the shared vocabulary and
// merges to dir, with each merge as a "a b" string or an ["a", "b"] pair.
func writeTokenizerJSON(t *testing.T, dir string, pairs bool) {
	t.Helper()
	vocabPath, mergesPath := clipFiles(t)
	data, err := os.ReadFile(vocabPath)
	require.NoError(t, err)
	var vocab map[string]int64
	require.NoError(t, json.Unmarshal(data, &vocab))
	data, err = os.ReadFile(mergesPath)
	require.NoError(t, err)
	var merges []any
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		if pairs {
			merges = append(merges, strings.Fields(line))
		} else {
			merges = append(merges, line)
		}
	}
	special := []string{clipBOS, clipEOS}
	added := make([]map[string]any, len(special))
	for i, s := range special {
		added[i] = map[string]any{"id": vocab[s], "content": s, "special": true, "normalized": true}
		delete(vocab, s) // the added tokens must supply them
	}
	file := map[string]any{
		"version":      "1.0",
		"added_tokens": added,
		"model": map[string]any{
			"type": "BPE", "vocab": vocab, "merges": merges,
			"end_of_word_suffix": endOfWord, "continuing_subword_prefix": "",
			"unk_token": clipEOS,
		},
	}
	data, err = json.Marshal(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tokenizer.json"), data, 0o644))
}

// TestCLIPLoaders checks that every way of loading the shared tokenizer
// reproduces the reference ids.
func TestCLIPLoaders(t *testing.T) {
	vocabPath, mergesPath := clipFiles(t)
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, dir string)
	}{
		{"vocab and merges", func(t *testing.T, dir string) {
			require.NoError(t, os.Symlink(vocabPath, filepath.Join(dir, "vocab.json")))
			require.NoError(t, os.Symlink(mergesPath, filepath.Join(dir, "merges.txt")))
		}},
		{"tokenizer.json string merges", func(t *testing.T, dir string) { writeTokenizerJSON(t, dir, false) }},
		{"tokenizer.json pair merges", func(t *testing.T, dir string) { writeTokenizerJSON(t, dir, true) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.write(t, dir)
			tok, err := Load(dir, "clip")
			require.NoError(t, err)
			for _, ref := range references(t) {
				require.Equal(t, ref.IDs, tok.Encode(ref.Text), "%q", ref.Text)
			}
		})
	}
}

// TestCLIPConfig checks the tokenizer_config.json fields CLIP uses.
func TestCLIPConfig(t *testing.T) {
	vocabPath, mergesPath := clipFiles(t)
	ref := sharedCLIP(t, Config{})
	for _, tc := range []struct {
		name   string
		config string
		want   Padding
	}{
		{"no config", "", Padding{ID: ref.eos, EndID: ref.eos, MaxLength: 77}},
		{"openai", `{"model_max_length": 77, "pad_token": "<|endoftext|>", "bos_token": {"content": "<|startoftext|>"}}`,
			Padding{ID: ref.eos, EndID: ref.eos, MaxLength: 77}},
		{"pad !", `{"model_max_length": 77, "pad_token": "!"}`, Padding{ID: ref.model.vocab["!"], EndID: ref.eos, MaxLength: 77}},
		{"unset length", `{"model_max_length": 1e30}`, Padding{ID: ref.eos, EndID: ref.eos, MaxLength: 77}},
		{"short", `{"model_max_length": 16}`, Padding{ID: ref.eos, EndID: ref.eos, MaxLength: 16}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.Symlink(vocabPath, filepath.Join(dir, "vocab.json")))
			require.NoError(t, os.Symlink(mergesPath, filepath.Join(dir, "merges.txt")))
			if tc.config != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), []byte(tc.config), 0o644))
			}
			c, err := LoadCLIP(dir)
			require.NoError(t, err)
			require.Equal(t, tc.want, c.Padding())
		})
	}
}

// TestCLIPTruncate checks that Encode keeps the first MaxLength-1 tokens of
// the untruncated ids, then the end token.
func TestCLIPTruncate(t *testing.T) {
	long := strings.Repeat("a photo of a lawn mower, ", 40)
	for _, n := range []float64{77, 16, 3, 2} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			c := sharedCLIP(t, Config{ModelMaxLength: n})
			max := int(n)
			for _, text := range []string{long, "a photo of a cat.", ""} {
				full := c.encode(text, 0)
				got := c.Encode(text)
				if len(full) <= max {
					require.Equal(t, full, got, "%q", text)
					continue
				}
				require.Len(t, got, max)
				require.Equal(t, full[:max-1], got[:max-1], "%q", text)
				require.Equal(t, c.eos, got[max-1])
			}
		})
	}
}

// TestCLIPBatch checks the pipeline's padding: to the longest text, with the
// pad token and a zero mask after each text.
func TestCLIPBatch(t *testing.T) {
	refs := references(t)[:0]
	for _, r := range references(t) {
		if strings.Contains(r.Text, "o") { // a varied subset
			refs = append(refs, r)
		}
	}
	c := sharedCLIP(t, Config{PadToken: "!"})
	texts := make([]string, len(refs))
	longest := 0
	for i, r := range refs {
		texts[i] = r.Text
		longest = max(longest, len(r.IDs))
	}
	b := Encode(c, texts, 0)
	require.Equal(t, longest, b.Len())
	pad := c.model.vocab["!"]
	for i, r := range refs {
		for j := range longest {
			if j < len(r.IDs) {
				require.Equal(t, r.IDs[j], b.IDs[i][j], "%q", r.Text)
				require.Equal(t, int64(1), b.Mask[i][j])
			} else {
				require.Equal(t, pad, b.IDs[i][j], "%q", r.Text)
				require.Equal(t, int64(0), b.Mask[i][j])
			}
		}
	}
}

// TestCLIPSpecialInText checks that the special tokens written in a text
// encode as themselves, whatever their case, split off the words around them
// before pre-tokenizing, as Hugging Face's added tokens are.
func TestCLIPSpecialInText(t *testing.T) {
	c := sharedCLIP(t, Config{})
	inner := func(s string) []int64 { ids := c.encode(s, 0); return ids[1 : len(ids)-1] }
	for _, tc := range []struct{ before, special, after string }{
		{"a dog", "<|endoftext|>", "a cat"},
		{"", "<|startoftext|>", "tree"},
		{"tree ", "<|EndOfText|>", ""},
		{"a dog!", "<|endoftext|>", "!a cat"}, // not merged into the punctuation
		{"x", "<|startoftext|>", "<|endoftext|>"},
	} {
		want := []int64{c.bos}
		want = append(want, inner(tc.before)...)
		want = append(want, c.specials[strings.ToLower(tc.special)])
		want = append(want, inner(tc.after)...)
		want = append(want, c.eos)
		require.Equal(t, want, c.encode(tc.before+tc.special+tc.after, 0))
	}
}

func TestCLIPConcurrent(t *testing.T) {
	c := sharedCLIP(t, Config{})
	refs := references(t)
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(refs))
	for g := range 8 {
		wg.Go(func() {
			for i := range refs {
				r := refs[(i+g*17)%len(refs)]
				if got := c.Encode(r.Text); fmt.Sprint(got) != fmt.Sprint(r.IDs) {
					errs <- fmt.Sprintf("%q: got %v, want %v", r.Text, got, r.IDs)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		require.Fail(t, e)
	}
}

// tinyVocab returns a vocabulary of the byte-level alphabet, the special
// tokens and the given tokens.
func tinyVocab(extra ...string) map[string]int64 {
	v := make(map[string]int64)
	for _, r := range byteAlphabet() {
		v[string(r)] = int64(len(v))
		v[string(r)+endOfWord] = int64(len(v))
	}
	for _, s := range append([]string{clipBOS, clipEOS}, extra...) {
		v[s] = int64(len(v))
	}
	return v
}

// mustJSON marshals v.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// naiveBPE is OpenAI's bpe() loop, the oracle of encodeWord: merge every
// occurrence of the lowest-ranked pair, left to right, until none ranks.
func naiveBPE(ranks map[[2]string]int, word string) []string {
	alphabet := byteAlphabet()
	var syms []string
	for i := range len(word) {
		syms = append(syms, string(alphabet[word[i]]))
	}
	syms[len(syms)-1] += endOfWord
	for len(syms) > 1 {
		best, bestRank := [2]string{}, -1
		for i := range len(syms) - 1 {
			p := [2]string{syms[i], syms[i+1]}
			if r, ok := ranks[p]; ok && (bestRank < 0 || r < bestRank) {
				best, bestRank = p, r
			}
		}
		if bestRank < 0 {
			break
		}
		var next []string
		for i := 0; i < len(syms); i++ {
			if i+1 < len(syms) && syms[i] == best[0] && syms[i+1] == best[1] {
				next = append(next, best[0]+best[1])
				i++
			} else {
				next = append(next, syms[i])
			}
		}
		syms = next
	}
	return syms
}

// readRanks reads the ranks of a merges.txt.
func readRanks(t *testing.T, path string) map[[2]string]int {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	ranks := make(map[[2]string]int)
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 2 && !strings.HasPrefix(line, "#version") {
			ranks[[2]string{f[0], f[1]}] = len(ranks)
		}
	}
	return ranks
}

// TestCLIPMergeOrder checks encodeWord against naiveBPE on random words, in
// a tiny vocabulary whose merges overlap and in the shared one.
func TestCLIPMergeOrder(t *testing.T) {
	dir := t.TempDir()
	tiny := tinyVocab("ab", "ab</w>", "abc</w>", "aa", "aa</w>", "aaa", "aab", "aab</w>")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vocab.json"), []byte(mustJSON(t, tiny)), 0o644))
	merges := "#version: 0.2\na b\nab c</w>\na a\na a</w>\naa a\na b</w>\naa b\naa b</w>\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "merges.txt"), []byte(merges), 0o644))
	vocabPath, mergesPath := clipFiles(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name          string
		vocab, merges string
		letters       []rune
		maxLen        int
	}{
		{"tiny", filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt"), []rune("abc"), 12},
		{"shared", vocabPath, mergesPath, []rune("abcdefghijklmnopqrstuvwxyzéßœ🙂!.,'"), 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCLIP(tc.vocab, tc.merges, Config{})
			require.NoError(t, err)
			ranks := readRanks(t, tc.merges)
			for range 3000 {
				word := make([]rune, 1+rng.IntN(tc.maxLen))
				for i := range word {
					word[i] = tc.letters[rng.IntN(len(tc.letters))]
				}
				var want []int64
				for _, s := range naiveBPE(ranks, string(word)) {
					want = append(want, c.model.vocab[s])
				}
				require.Equal(t, want, c.model.encodeWord(string(word)), "%q", string(word))
			}
		})
	}
}

func TestCLIPLoadErrors(t *testing.T) {
	good := mustJSON(t, tinyVocab("ab"))
	tokJSON := func(model map[string]any) string {
		m := map[string]any{"type": "BPE", "vocab": tinyVocab("ab"), "merges": []string{"a b"}, "end_of_word_suffix": endOfWord}
		for k, v := range model {
			m[k] = v
		}
		return mustJSON(t, map[string]any{"model": m})
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{"empty folder", nil, []string{"want tokenizer.json, or vocab.json and merges.txt"}},
		{"no merges", map[string]string{"vocab.json": good}, []string{"read merges", "merges.txt"}},
		{"malformed vocab", map[string]string{"vocab.json": `{"a": 1,`, "merges.txt": ""}, []string{"vocab.json", "JSON object"}},
		{"vocab without bytes", map[string]string{"vocab.json": `{"a": 0}`, "merges.txt": ""}, []string{"vocab.json", "byte-level symbol"}},
		{"negative id", map[string]string{"vocab.json": `{"a": -1}`, "merges.txt": ""}, []string{"vocab.json", `"a" has id -1`}},
		{"three tokens", map[string]string{"vocab.json": good, "merges.txt": "#version: 0.2\na b\na b c\n"},
			[]string{"merges.txt:3", "want two tokens"}},
		{"result not in vocab", map[string]string{"vocab.json": good, "merges.txt": "#version: 0.2\na b\nb c\n"},
			[]string{"merges.txt:3", `"bc" is not in the vocabulary`}},
		{"part not in vocab", map[string]string{"vocab.json": good, "merges.txt": "a b\nabc d\n"},
			[]string{"merges.txt:2", `"abc" is not in the vocabulary`}},
		{"pad not in vocab", map[string]string{"vocab.json": good, "merges.txt": "a b\n", "tokenizer_config.json": `{"pad_token": "<pad>"}`},
			[]string{"pad_token", `"<pad>"`}},
		{"too short", map[string]string{"vocab.json": good, "merges.txt": "a b\n", "tokenizer_config.json": `{"model_max_length": 1}`},
			[]string{"model_max_length 1"}},
		{"malformed config", map[string]string{"vocab.json": good, "merges.txt": "a b\n", "tokenizer_config.json": `{"pad_token": 3}`},
			[]string{"tokenizer_config.json"}},
		{"empty merges.txt", map[string]string{"vocab.json": good, "merges.txt": "#version: 0.2\n\n"}, []string{"merges.txt", "no merges"}},
		{"random merges.txt", map[string]string{"vocab.json": good, "merges.txt": "\x00\x01secret-looking binary line that goes on and on and on and on and on\n"},
			[]string{"merges.txt:1", `... (69 bytes)`}},
		{"no merges in tokenizer.json", map[string]string{"tokenizer.json": tokJSON(map[string]any{"merges": []any{}})}, []string{"tokenizer.json", "model.merges is empty"}},
		{"malformed tokenizer.json", map[string]string{"tokenizer.json": `{"model": [`}, []string{"tokenizer.json"}},
		{"not BPE", map[string]string{"tokenizer.json": tokJSON(map[string]any{"type": "WordPiece"})}, []string{"tokenizer.json", `model.type "WordPiece"`}},
		{"no suffix", map[string]string{"tokenizer.json": tokJSON(map[string]any{"end_of_word_suffix": nil})}, []string{"tokenizer.json", "end_of_word_suffix"}},
		{"no vocab", map[string]string{"tokenizer.json": tokJSON(map[string]any{"vocab": nil})}, []string{"tokenizer.json", "model.vocab"}},
		{"bad merge", map[string]string{"tokenizer.json": tokJSON(map[string]any{"merges": []any{"a b", 7}})}, []string{"tokenizer.json", "model.merges[1]", "want"}},
		{"bad pair", map[string]string{"tokenizer.json": tokJSON(map[string]any{"merges": []any{[]string{"a", "b", "c"}}})}, []string{"model.merges[0]", "two tokens"}},
		{"merge not in vocab", map[string]string{"tokenizer.json": tokJSON(map[string]any{"merges": []any{"a b", []string{"x", "y"}}})},
			[]string{"model.merges[1]", `"xy" is not in the vocabulary`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
			}
			tok, err := Load(dir, "clip")
			require.Error(t, err)
			require.Nil(t, tok)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func BenchmarkCLIPEncode(b *testing.B) {
	c := sharedCLIP(b, Config{})
	prompts := []string{
		"This is a photo of a maple tree.",
		"a photo of a big lawn mower.",
		"a blurry photo of the aquarium fish.",
		"a sculpture of a chimpanzee.",
	}
	for b.Loop() {
		for _, p := range prompts {
			c.Encode(p)
		}
	}
}
