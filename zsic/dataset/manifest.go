package dataset

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Manifest is a pinned sample of a dataset: rows identified by the SHA-256
// of their decoded RGB pixels (see PixelHash), so the same sample is found
// in any copy of the dataset whatever its row order or image encoder.
type Manifest struct {
	// Dataset names the dataset, e.g. "uoft-cs/cifar100".
	Dataset string `json:"dataset"`
	// Split names the split, e.g. "test".
	Split string `json:"split"`
	// Seed is the seed of the draw that chose the rows.
	Seed int64 `json:"seed"`
	// Classes are the class names by label id, if known.
	Classes []string `json:"classes,omitempty"`
	// Rows are the pinned rows.
	Rows []ManifestRow `json:"rows"`
}

// ManifestRow is one pinned row.
type ManifestRow struct {
	// SHA256 is the lowercase hex SHA-256 of the row's RGB pixels.
	SHA256 string `json:"sha256"`
	// Label is the row's class id.
	Label int `json:"label"`
}

// LoadManifest reads and checks a JSON manifest.
func LoadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("load manifest %s: %w", path, err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("load manifest %s: %w", path, err)
	}
	return &m, nil
}

// check reports an empty manifest, a malformed hash or a label that is not
// a class id.
func (m *Manifest) check() error {
	if len(m.Rows) == 0 {
		return errors.New("no rows")
	}
	for i, r := range m.Rows {
		if len(r.SHA256) != 64 || strings.Trim(r.SHA256, "0123456789abcdef") != "" {
			return fmt.Errorf("rows[%d]: sha256 %q is not 64 lowercase hex digits", i, r.SHA256)
		}
		if r.Label < 0 || (m.Classes != nil && r.Label >= len(m.Classes)) {
			return fmt.Errorf("rows[%d]: label %d is not a class id (%d classes)", i, r.Label, len(m.Classes))
		}
	}
	return nil
}

// Resolve finds the manifest's rows in src by pixel hash, decoding every
// image of src, and returns their row indices, ascending. Rows with the same pixels are matched to distinct
// dataset rows with the same label, lowest row first. It fails, counting
// them and listing the first few, when manifest rows are missing or have
// another label in src; and when an image of src cannot be decoded.
func (m *Manifest) Resolve(src Source) ([]int, error) {
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("resolve manifest: %w", err)
	}
	if m.Classes != nil && src.Classes() != nil && !slices.Equal(m.Classes, src.Classes()) {
		return nil, errors.New("resolve manifest: its class names differ from the dataset's")
	}
	want := make(map[string][]hashed, len(m.Rows)) // hash -> dataset rows with it
	for _, r := range m.Rows {
		want[r.SHA256] = nil
	}
	all, _ := Select(src.Len(), 0, false, 0)
	err := src.Read(all, func(s Sample) error {
		if s.Err != nil {
			return s.Err
		}
		h, err := PixelHash(s.Image)
		if err != nil {
			return fmt.Errorf("row %d: %w", s.Row, err)
		}
		if found, ok := want[h]; ok {
			want[h] = append(found, hashed{row: s.Row, label: s.Label})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("resolve manifest: %w", err)
	}
	var rows []int
	var missing, mislabelled, repeated []string
	first := make(map[ManifestRow]int, len(m.Rows)) // first manifest index of each row
	for i, r := range m.Rows {
		prev, seen := first[r]
		if !seen {
			first[r] = i
		}
		found := want[r.SHA256]
		j := slices.IndexFunc(found, func(h hashed) bool { return h.label == r.Label && h.row >= 0 })
		if j >= 0 {
			rows = append(rows, found[j].row)
			found[j].row = -1 // used
			continue
		}
		desc := fmt.Sprintf("rows[%d] (sha256 %s, label %d)", i, r.SHA256[:12], r.Label)
		if k := slices.IndexFunc(found, func(h hashed) bool { return h.row >= 0 }); k >= 0 {
			mislabelled = append(mislabelled, fmt.Sprintf("%s is row %d with label %d", desc, found[k].row, found[k].label))
			continue
		}
		if seen && slices.ContainsFunc(found, func(h hashed) bool { return h.label == r.Label }) {
			n := 0
			for _, h := range found {
				if h.label == r.Label {
					n++
				}
			}
			repeated = append(repeated, fmt.Sprintf("%s repeats rows[%d], and the dataset has only %d such image(s)", desc, prev, n))
			continue
		}
		missing = append(missing, desc)
	}
	var errs []error
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("%d of %d manifest rows are not in the dataset: %s", len(missing), len(m.Rows), firstFew(missing)))
	}
	if len(repeated) > 0 {
		errs = append(errs, fmt.Errorf("%d of %d manifest rows are duplicates: %s", len(repeated), len(m.Rows), firstFew(repeated)))
	}
	if len(mislabelled) > 0 {
		errs = append(errs, fmt.Errorf("%d of %d manifest rows have another label in the dataset: %s", len(mislabelled), len(m.Rows), firstFew(mislabelled)))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("resolve manifest of %s %s: %w", m.Dataset, m.Split, errors.Join(errs...))
	}
	slices.Sort(rows)
	return rows, nil
}

// hashed is a dataset row whose pixel hash is in a manifest.
type hashed struct{ row, label int }

// firstFew joins the first five items of list, noting how many are left.
func firstFew(list []string) string {
	const n = 5
	if len(list) <= n {
		return strings.Join(list, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(list[:n], "; "), len(list)-n)
}

// NewManifest pins rows of src: it reads them and records each one's pixel
// hash and label. Classes are src's class names.
func NewManifest(src Source, rows []int, dataset, split string, seed int64) (*Manifest, error) {
	m := &Manifest{Dataset: dataset, Split: split, Seed: seed, Classes: src.Classes()}
	err := src.Read(rows, func(s Sample) error {
		if s.Err != nil {
			return s.Err
		}
		h, err := PixelHash(s.Image)
		if err != nil {
			return fmt.Errorf("row %d: %w", s.Row, err)
		}
		if s.Label < 0 {
			return fmt.Errorf("row %d has no label", s.Row)
		}
		m.Rows = append(m.Rows, ManifestRow{SHA256: h, Label: s.Label})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pin %s %s: %w", dataset, split, err)
	}
	return m, nil
}

// Encode writes m as indented JSON with one row per line, for readable
// diffs; LoadManifest reads it back.
func (m *Manifest) Encode(w io.Writer) error {
	head := *m
	head.Rows = nil
	data, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	// Replace the empty rows array closing the object with one row a line.
	text := strings.TrimSuffix(string(data), "\n}")
	text = strings.TrimSuffix(text, `"rows": null`)
	var b strings.Builder
	b.WriteString(text)
	b.WriteString("\"rows\": [\n")
	for i, r := range m.Rows {
		row, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode manifest: %w", err)
		}
		b.WriteString("    ")
		b.Write(row)
		if i < len(m.Rows)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("  ]\n}\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	return nil
}
