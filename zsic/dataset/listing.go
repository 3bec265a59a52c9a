package dataset

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// OpenManifest opens a .csv or .jsonl list of images and class names. A CSV
// file starts with a header row; a JSONL file holds one object per line.
// The image path is in the field named cols.Image, or "path" if there is no
// such field; the class name is in the field named cols.Label, or "label".
// Relative paths are relative to the manifest's folder, and must stay in
// it: an absolute path, one that climbs out with "..", or a symlink that
// leads out is refused unless opts has AllowPathsOutside. Classes are the
// sorted distinct class names; an empty class name means no label (-1).
func OpenManifest(path string, cols Columns, opts ...Option) (Source, error) {
	o := newOptions(opts)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open manifest: %w", err)
	}
	defer f.Close()
	var recs []listRecord
	if strings.EqualFold(filepath.Ext(path), ".jsonl") {
		recs, err = readJSONL(f, cols)
	} else {
		recs, err = readCSV(f, cols)
	}
	if err != nil {
		return nil, fmt.Errorf("open manifest %s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("open manifest %s: it lists no images", path)
	}
	return newListSource(path, recs, o.allowOutside)
}

// listRecord is one manifest entry: an image path and a class name, from
// line of the list.
type listRecord struct {
	path, class string
	line        int
}

// newListSource resolves paths against the manifest's folder and numbers
// the classes in sorted order. Unless anywhere, every path must stay inside
// that folder, and files are opened through an os.Root of it so that a
// symlink cannot lead out either.
func newListSource(manifest string, recs []listRecord, anywhere bool) (*fileSource, error) {
	dir := filepath.Dir(manifest)
	var classes []string
	for _, r := range recs {
		if r.class != "" {
			classes = append(classes, r.class)
		}
	}
	slices.Sort(classes)
	classes = slices.Compact(classes)
	s := &fileSource{name: manifest, classes: classes}
	if !anywhere {
		root, err := os.OpenRoot(dir)
		if err != nil {
			return nil, fmt.Errorf("open manifest %s: %w", manifest, err)
		}
		s.root, s.rootDir = root, dir
	}
	for _, r := range recs {
		p := filepath.FromSlash(r.path)
		if !anywhere && !filepath.IsLocal(p) {
			s.Close()
			return nil, fmt.Errorf("open manifest %s: line %d: path %s leads outside the list's folder %s (absolute, or climbing out with ..): "+
				"list only images under that folder, or %w", manifest, r.line, quoteShort(r.path), dir, ErrPathOutside)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		label := -1
		if r.class != "" {
			label, _ = slices.BinarySearch(classes, r.class)
		}
		s.items = append(s.items, fileItem{path: p, label: label})
	}
	if len(classes) == 0 {
		s.classes = nil
	}
	return s, nil
}

// quoteShort quotes text for a message, cut to its first 80 bytes, so that
// a line of a hostile or binary file is neither echoed whole nor raw.
func quoteShort(text string) string {
	const n = 80
	if len(text) <= n {
		return strconv.Quote(text)
	}
	return strconv.Quote(text[:n]) + fmt.Sprintf("... (%d bytes)", len(text))
}

// fieldName returns want if names has it, else fallback.
func fieldName(names []string, want, fallback string) string {
	if want != "" && slices.Contains(names, want) {
		return want
	}
	return fallback
}

// readCSV reads a CSV manifest with a header row.
func readCSV(r io.Reader, cols Columns) ([]listRecord, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("it is empty: want a header row naming the path and label columns")
	}
	if err != nil {
		return nil, err
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	pathCol := slices.Index(header, fieldName(header, cols.Image, "path"))
	labelCol := slices.Index(header, fieldName(header, cols.Label, "label"))
	if pathCol < 0 {
		return nil, fmt.Errorf("no path column %q or %q in the header: the columns are %s", cols.Image, "path", strings.Join(header, ", "))
	}
	var recs []listRecord
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		lr := listRecord{path: rec[pathCol], line: line}
		if labelCol >= 0 {
			lr.class = rec[labelCol]
		}
		if lr.path == "" {
			return nil, fmt.Errorf("line %d: empty path", line)
		}
		recs = append(recs, lr)
	}
}

// readJSONL reads a manifest of one JSON object per line.
func readJSONL(r io.Reader, cols Columns) ([]listRecord, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	var recs []listRecord
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(text), &obj); err != nil {
			return nil, fmt.Errorf("line %d: want a JSON object: %w", line, err)
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		lr := listRecord{line: line}
		pk := fieldName(keys, cols.Image, "path")
		if err := stringField(obj, pk, &lr.path); err != nil || lr.path == "" {
			return nil, fmt.Errorf("line %d: want a non-empty string %q (the fields are %s)", line, pk, strings.Join(keys, ", "))
		}
		lk := fieldName(keys, cols.Label, "label")
		if err := stringField(obj, lk, &lr.class); err != nil {
			return nil, fmt.Errorf("line %d: field %q: want a class name string: %w", line, lk, err)
		}
		recs = append(recs, lr)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return recs, nil
}

// stringField sets *dst to obj[key] when it is a string; a missing key or
// null leaves *dst unchanged.
func stringField(obj map[string]json.RawMessage, key string, dst *string) error {
	raw, ok := obj[key]
	if !ok || string(raw) == "null" {
		return nil
	}
	return json.Unmarshal(raw, dst)
}
