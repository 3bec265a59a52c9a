package tokenizer

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zsic/zsic/internal/testenv"
)

// spReference is one line of fixtures/tokenizer/sentencepiece/reference.jsonl,
// computed by make.py with the real SentencePiece library.
type spReference struct {
	Text        string  `json:"text"`
	Unigram     []int   `json:"unigram"`
	BPE         []int   `json:"bpe"`
	UnigramJSON []int   `json:"unigram_json"`
	BPEJSON     []int   `json:"bpe_json"`
	SigLIP      []int64 `json:"siglip"`
	SigLIP2     []int64 `json:"siglip2"`
}

// spFixture returns the path of a file in the SentencePiece fixtures.
func spFixture(t testing.TB, rel string) string {
	return filepath.Join(testenv.Root(t), "fixtures", "tokenizer", "sentencepiece", rel)
}

// spReferences reads the reference ids.
func spReferences(t testing.TB) []spReference {
	f, err := os.Open(spFixture(t, "reference.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	var refs []spReference
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r spReference
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		refs = append(refs, r)
	}
	require.NoError(t, sc.Err())
	require.GreaterOrEqual(t, len(refs), 200)
	return refs
}

func TestSentencePieceParity(t *testing.T) {
	refs := spReferences(t)
	uni, err := LoadSentencePiece(spFixture(t, "unigram/spiece.model"))
	require.NoError(t, err)
	bpe, err := LoadSentencePiece(spFixture(t, "bpe/spiece.model"))
	require.NoError(t, err)
	uniJSON, err := LoadSentencePieceJSON(spFixture(t, "unigram/tokenizer.json"))
	require.NoError(t, err)
	bpeJSON, err := LoadSentencePieceJSON(spFixture(t, "bpe/tokenizer.json"))
	require.NoError(t, err)
	for _, r := range refs {
		want := r.Unigram
		if want == nil {
			want = []int{}
		}
		require.Equal(t, want, spOrEmpty(uni.Encode(r.Text)), "unigram spiece.model %q", r.Text)
		require.Equal(t, r.UnigramJSON, uniJSON.Encode(r.Text), "unigram tokenizer.json %q", r.Text)
		want = r.BPE
		if want == nil {
			want = []int{}
		}
		require.Equal(t, want, spOrEmpty(bpe.Encode(r.Text)), "bpe spiece.model %q", r.Text)
		require.Equal(t, r.BPEJSON, bpeJSON.Encode(r.Text), "bpe tokenizer.json %q", r.Text)
	}
}

// spOrEmpty turns nil into an empty slice, as JSON reads [].
func spOrEmpty(ids []int) []int {
	if ids == nil {
		return []int{}
	}
	return ids
}

func TestSigLIPParity(t *testing.T) {
	refs := spReferences(t)
	tests := []struct {
		name, dir, modelType string
		remove               string // file hidden from Load to pick the other source
		want                 func(spReference) []int64
	}{
		{"siglip spiece.model", "unigram", "siglip", "", func(r spReference) []int64 { return r.SigLIP }},
		{"siglip2 tokenizer.json", "bpe", "siglip2", "", func(r spReference) []int64 { return r.SigLIP2 }},
		{"siglip2 spiece.model", "bpe", "siglip2", "tokenizer.json", func(r spReference) []int64 { return r.SigLIP2 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := spFolder(t, tc.dir, tc.remove)
			tok, err := Load(dir, tc.modelType)
			require.NoError(t, err)
			p := tok.Padding()
			require.True(t, p.Fixed)
			require.Equal(t, 64, p.MaxLength)
			texts := make([]string, len(refs))
			for i, r := range refs {
				texts[i] = r.Text
			}
			b := Encode(tok, texts, 0)
			for i, r := range refs {
				require.Equal(t, tc.want(r), b.IDs[i], "%q", r.Text)
			}
		})
	}
}

// spFolder copies a fixture model folder to a temporary one without remove.
func spFolder(t *testing.T, name, remove string) string {
	dir := t.TempDir()
	src := spFixture(t, name)
	entries, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, e := range entries {
		if e.Name() == remove {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644))
	}
	return dir
}

func TestSigLIPPadding(t *testing.T) {
	tok, err := Load(spFixture(t, "unigram"), "siglip")
	require.NoError(t, err)
	require.Equal(t, Padding{ID: 1, EndID: 1, MaxLength: 64, Fixed: true}, tok.Padding())
	tok2, err := Load(spFixture(t, "bpe"), "siglip2")
	require.NoError(t, err)
	require.Equal(t, Padding{ID: 0, EndID: 1, MaxLength: 64, Fixed: true}, tok2.Padding())
}

func TestSigLIPConcurrent(t *testing.T) {
	refs := spReferences(t)
	for _, tc := range []struct{ dir, modelType string }{{"unigram", "siglip"}, {"bpe", "siglip2"}} {
		tok, err := Load(spFixture(t, tc.dir), tc.modelType)
		require.NoError(t, err)
		var wg sync.WaitGroup
		results := make([][]int64, len(refs))
		for i, r := range refs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = tok.Encode(r.Text)
			}()
		}
		wg.Wait()
		for i, r := range refs {
			require.Equal(t, tok.Encode(r.Text), results[i])
		}
	}
}

func TestSentencePieceErrors(t *testing.T) {
	good, err := os.ReadFile(spFixture(t, "unigram/spiece.model"))
	require.NoError(t, err)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "no pieces"},
		{"truncated", good[:len(good)/2], "protobuf"},
		{"garbage", []byte{0xff, 0xff, 0xff}, "protobuf"},
		{"word model", append(append([]byte{}, good...), 0x12, 0x02, 0x18, 0x03), "model type 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSentencePiece(tc.data)
			require.ErrorContains(t, err, tc.want)
		})
	}
	_, err = LoadSentencePiece(filepath.Join(t.TempDir(), "spiece.model"))
	require.ErrorContains(t, err, "no such file")
	_, err = Load(t.TempDir(), "siglip")
	require.ErrorContains(t, err, "has none of spiece.model")
	_, err = Load(spFolder(t, "unigram", "spiece.model"), "siglip")
	require.ErrorContains(t, err, "has none of spiece.model")
	_, err = ParseSentencePieceJSON([]byte(`{"model": {"type": "WordPiece"}}`))
	require.ErrorContains(t, err, `model type "WordPiece" is not supported`)
	_, err = ParseSentencePieceJSON([]byte(`{"model": {"type": "Unigram", "vocab": [["a", 0]], "unk_id": 0}, "normalizer": {"type": "BertNormalizer"}}`))
	require.ErrorContains(t, err, `normalizer type "BertNormalizer" is not supported`)
	_, err = ParseSentencePieceJSON([]byte(`{"model": {"type": "Unigram", "vocab": [["a", 0]]}}`))
	require.ErrorContains(t, err, "no unknown token")
}

func TestSPLower(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ABC", "abc"},
		{"İ", "i\u0307"},
		{"ΟΔΥΣΣΕΥΣ", "οδυσσευς"},
		{"Σ", "σ"},
		{"ΣΑΣ σας", "σας σας"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, pyLower(tc.in), tc.in)
	}
}

func FuzzSigLIP(f *testing.F) {
	for _, s := range []string{"", "a photo of a cat.", "</s>", "<unk> x", "▁▁", "猫 😀", "\xff\xfe", "<eos><pad>"} {
		f.Add(s)
	}
	uni, err := Load(spFixture(f, "unigram"), "siglip")
	require.NoError(f, err)
	bpe, err := Load(spFixture(f, "bpe"), "siglip2")
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, text string) {
		for _, tok := range []Tokenizer{uni, bpe} {
			p := tok.Padding()
			ids := tok.Encode(text)
			require.NotEmpty(t, ids)
			require.LessOrEqual(t, len(ids), 64)
			require.Equal(t, p.EndID, ids[len(ids)-1])
			b := Encode(tok, []string{text}, 0)
			require.Len(t, b.IDs[0], 64)
			for i, id := range b.IDs[0] {
				if i >= len(ids) {
					require.Equal(t, p.ID, id)
				}
			}
		}
	})
}
