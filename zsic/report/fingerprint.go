package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"

	"github.com/zsic/zsic/zsic/dataset"
)

// Fingerprint identifies the rows a run read: how many, and the SHA-256 of
// one line "ROW\tLABEL\tSHA256\n" per row in row order, where SHA256 is
// the hex SHA-256 of the row's encoded image bytes. Two runs with equal
// fingerprints read the same bytes with the same labels at the same rows,
// whatever the files were called.
type Fingerprint struct {
	// Rows is the number of rows read.
	Rows int `json:"rows"`
	// SHA256 is the hex SHA-256 described above.
	SHA256 string `json:"sha256"`
}

// Fingerprinter is a dataset.Source that fingerprints the rows read
// through it.
type Fingerprinter struct {
	dataset.Source
	mu   sync.Mutex
	rows map[int]string // "LABEL\tSHA256" by row
}

// NewFingerprinter wraps src.
func NewFingerprinter(src dataset.Source) *Fingerprinter {
	return &Fingerprinter{Source: src, rows: map[int]string{}}
}

// Read reads rows of the underlying source, hashing each image before fn
// sees it.
func (f *Fingerprinter) Read(rows []int, fn func(dataset.Sample) error) error {
	return f.Source.Read(rows, func(s dataset.Sample) error {
		sum := sha256.Sum256(s.Image)
		f.mu.Lock()
		f.rows[s.Row] = fmt.Sprintf("%d\t%s", s.Label, hex.EncodeToString(sum[:]))
		f.mu.Unlock()
		return fn(s)
	})
}

// Fingerprint returns the fingerprint of the rows read so far.
func (f *Fingerprinter) Fingerprint() Fingerprint {
	f.mu.Lock()
	defer f.mu.Unlock()
	rows := make([]int, 0, len(f.rows))
	for r := range f.rows {
		rows = append(rows, r)
	}
	slices.Sort(rows)
	h := sha256.New()
	for _, r := range rows {
		fmt.Fprintf(h, "%d\t%s\n", r, f.rows[r])
	}
	return Fingerprint{Rows: len(rows), SHA256: hex.EncodeToString(h.Sum(nil))}
}
