package tokenizer

import (
	"container/heap"
	"fmt"
	"math"
	"sync"
)

// endOfWord is the suffix CLIP's BPE vocabulary gives a word's last symbol.
const endOfWord = "</w>"

// wordCacheSize bounds a CLIP tokenizer's cache of encoded words, as
// Hugging Face's BPE bounds its own.
const wordCacheSize = 10000

// byteAlphabet returns the byte-level alphabet of GPT-2 and CLIP: the rune
// that stands for each byte in the vocabulary. Printable Latin-1 bytes stand
// for themselves; the others, in byte order, for U+0100 onwards.
func byteAlphabet() [256]rune {
	var a [256]rune
	next := rune(256)
	for b := range 256 {
		if ('!' <= b && b <= '~') || (0xA1 <= b && b <= 0xAC) || (0xAE <= b && b <= 0xFF) {
			a[b] = rune(b)
			continue
		}
		a[b] = next
		next++
	}
	return a
}

// bpeModel is a byte-level BPE vocabulary with its merges by rank.
type bpeModel struct {
	vocab  map[string]int64
	merges map[uint64]bpeMerge // by pairKey of the two ids merged
	added  int                 // merges added, the next rank
	first  [256]int32          // id of each byte's symbol inside a word
	last   [256]int32          // id of each byte's symbol ending a word
}

// bpeMerge is one merge rule: its rank (lower merges first) and the id of
// the merged symbol.
type bpeMerge struct {
	rank, id int32
}

// pairKey packs two symbol ids into a merge table key.
func pairKey(left, right int32) uint64 {
	return uint64(uint32(left))<<32 | uint64(uint32(right))
}

// newBPEModel checks vocab's ids and that it holds the byte-level alphabet,
// alone and with the end-of-word suffix; source names vocab in errors.
func newBPEModel(vocab map[string]int64, source string) (*bpeModel, error) {
	for tok, id := range vocab {
		if id < 0 || id > math.MaxInt32 {
			return nil, fmt.Errorf("%s: token %s has id %d, want 0 to %d", source, quote(tok), id, math.MaxInt32)
		}
	}
	m := &bpeModel{vocab: vocab, merges: make(map[uint64]bpeMerge)}
	for b, r := range byteAlphabet() {
		for _, sym := range []struct {
			text string
			id   *int32
		}{{string(r), &m.first[b]}, {string(r) + endOfWord, &m.last[b]}} {
			id, ok := vocab[sym.text]
			if !ok {
				return nil, fmt.Errorf("%s: byte-level symbol %q (byte %#02x) is not in the vocabulary", source, sym.text, b)
			}
			*sym.id = int32(id)
		}
	}
	return m, nil
}

// addMerge adds the merge of left and right with the next rank. A repeated
// pair takes the later rank, as a Python dict of ranks does.
func (m *bpeModel) addMerge(left, right string) error {
	var ids [3]int32
	for i, tok := range []string{left, right, left + right} {
		id, ok := m.vocab[tok]
		if !ok {
			return fmt.Errorf("merge %s %s: %s is not in the vocabulary", quote(left), quote(right), quote(tok))
		}
		ids[i] = int32(id)
	}
	if m.added >= math.MaxInt32 {
		return fmt.Errorf("more than %d merges", math.MaxInt32)
	}
	m.merges[pairKey(ids[0], ids[1])] = bpeMerge{rank: int32(m.added), id: ids[2]}
	m.added++
	return nil
}

// encodeWord applies the merges to the bytes of one word, lowest rank first
// and, within a rank, leftmost first, which is what merging every
// occurrence of the best pair at once (OpenAI's loop) amounts to.
func (m *bpeModel) encodeWord(w string) []int64 {
	n := len(w)
	if n == 0 {
		return nil
	}
	// A doubly linked list of symbols; a merge keeps the left one and
	// unlinks the right one, marking it dead with id -1.
	ids, prev, next := make([]int32, n), make([]int32, n), make([]int32, n)
	for i := range n {
		ids[i], prev[i], next[i] = m.first[w[i]], int32(i-1), int32(i+1)
	}
	ids[n-1], next[n-1] = m.last[w[n-1]], -1
	q := &mergeQueue{}
	push := func(l, r int32) {
		if mg, ok := m.merges[pairKey(ids[l], ids[r])]; ok {
			heap.Push(q, candidate{bpeMerge: mg, pos: l, left: ids[l], right: ids[r]})
		}
	}
	for i := range int32(n - 1) {
		push(i, i+1)
	}
	for q.Len() > 0 {
		c := heap.Pop(q).(candidate)
		l := c.pos
		r := next[l]
		if ids[l] != c.left || r < 0 || ids[r] != c.right {
			continue // stale: a symbol of the pair was merged since
		}
		ids[l], ids[r] = c.id, -1
		next[l] = next[r]
		if next[l] >= 0 {
			prev[next[l]] = l
			push(l, next[l])
		}
		if prev[l] >= 0 {
			push(prev[l], l)
		}
	}
	var out []int64
	for i := int32(0); i >= 0; i = next[i] {
		out = append(out, int64(ids[i]))
	}
	return out
}

// candidate is a pair of adjacent symbols that a merge applies to.
type candidate struct {
	bpeMerge
	pos         int32 // index of the left symbol
	left, right int32 // ids of the pair when it was queued
}

// mergeQueue orders candidates by rank, then position; it implements
// heap.Interface.
type mergeQueue []candidate

// Len returns the number of queued candidates.
func (q mergeQueue) Len() int { return len(q) }

// Less orders by rank, then leftmost first.
func (q mergeQueue) Less(i, j int) bool {
	if q[i].rank != q[j].rank {
		return q[i].rank < q[j].rank
	}
	return q[i].pos < q[j].pos
}

// Swap swaps two candidates.
func (q mergeQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }

// Push appends a candidate; use heap.Push.
func (q *mergeQueue) Push(x any) { *q = append(*q, x.(candidate)) }

// Pop removes the last candidate; use heap.Pop.
func (q *mergeQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

// wordCache maps words to their BPE ids; it is safe for concurrent use and
// stops growing at wordCacheSize words.
type wordCache struct {
	mu    sync.RWMutex
	words map[string][]int64
}

// newWordCache returns an empty cache.
func newWordCache() *wordCache {
	return &wordCache{words: make(map[string][]int64)}
}

// get returns the cached ids of w.
func (c *wordCache) get(w string) ([]int64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ids, ok := c.words[w]
	return ids, ok
}

// put caches the ids of w unless the cache is full.
func (c *wordCache) put(w string, ids []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.words) < wordCacheSize {
		c.words[w] = ids
	}
}
