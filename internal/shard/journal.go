package shard

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/zsic/zsic/internal/outfile"
	"github.com/zsic/zsic/zsic"
)

// PartialPath returns the partial predictions file of target, which holds
// a run's predictions while it runs: outfile.PartialName, ".NAME.partial"
// beside the file target leads to.
func PartialPath(target string) (string, error) {
	path, err := outfile.PartialName(target)
	if err != nil {
		return "", fmt.Errorf("partial predictions of %s: %w", target, err)
	}
	return path, nil
}

// legacyPath is the name the partial predictions file had before it was
// outfile.PartialName: target + ".partial". Resume continues from a file of
// that name, moving it to PartialPath; Create removes it.
func legacyPath(target string) string { return target + ".partial" }

// Leftover returns the partial predictions file an earlier run of target
// left behind, or "" when there is none.
func Leftover(target string) string {
	path, err := PartialPath(target)
	if err != nil {
		return ""
	}
	p, err := resumeFrom(path, legacyPath(target))
	if err != nil {
		return path // both names, or one unreadable: Create replaces them
	}
	return p
}

// Header is the first line of a partial predictions file: what run the
// predictions after it belong to.
type Header struct {
	// Partial is 1; it marks the file as zsic's partial predictions.
	Partial     int          `json:"zsic_partial_predictions"`
	Fingerprint *Fingerprint `json:"fingerprint"`
	Shard       *Spec        `json:"shard,omitempty"`
}

// Journal is the partial predictions file of a run in progress, beside the
// predictions file it becomes: the header line, then one JSON line per
// scored sample (as in the predictions file) or per row whose image could
// not be used ({"row", "error"}, as in the report), written and flushed to
// disk a batch at a time. A killed run
// leaves it behind, and Resume continues from it.
type Journal struct {
	path string
	f    *os.File
	buf  bytes.Buffer
}

// Create starts a new partial predictions file for target (PartialPath),
// replacing any left by an earlier run (under its legacy name too).
func Create(target string, h Header) (*Journal, error) {
	path, err := PartialPath(target)
	if err != nil {
		return nil, err
	}
	if err := os.Remove(legacyPath(target)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("partial predictions: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("partial predictions: %w", err)
	}
	j := &Journal{path: path, f: f}
	h.Partial = 1
	line, err := json.Marshal(h)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("partial predictions %s: %w", path, err)
	}
	j.buf.Write(line)
	j.buf.WriteByte('\n')
	if err := j.flush(); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// Done is what a killed run had finished: its predictions and failures,
// each ordered by row.
type Done struct {
	Predictions []zsic.Prediction
	Failures    []zsic.Failure
}

// Rows returns the number of rows done.
func (d Done) Rows() int { return len(d.Predictions) + len(d.Failures) }

// Resume opens target's partial predictions file to continue the run h
// describes over rows. It returns what is already done. Without a partial
// file it starts one, with nothing done. It fails,
// listing the differences, when the file belongs to another run; when a
// line other than the last is not a prediction of one of rows, or repeats a
// row. A last line without its newline (torn when the run was killed) is
// discarded and cut from the file.
//
// A file of the legacy name (target + ".partial", written by an older zsic)
// is resumed the same way and then moved to PartialPath; when files of both
// names exist, Resume fails rather than guess which to continue.
func Resume(target string, h Header, rows []int) (*Journal, Done, error) {
	newPath, err := PartialPath(target)
	if err != nil {
		return nil, Done{}, err
	}
	path, err := resumeFrom(newPath, legacyPath(target))
	if err != nil {
		return nil, Done{}, err
	}
	if path == "" {
		j, err := Create(target, h)
		return j, Done{}, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Done{}, fmt.Errorf("resume: %w", err)
	}
	complete := bytes.LastIndexByte(data, '\n') + 1 // bytes up to the last whole line
	lines := bytes.SplitAfter(data[:complete], []byte("\n"))
	if complete == 0 || len(lines[0]) == 0 {
		// Killed before the header was written: nothing was done.
		j, err := Create(target, h)
		return j, Done{}, err
	}
	var got Header
	dec := json.NewDecoder(bytes.NewReader(lines[0]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil || got.Partial != 1 || got.Fingerprint == nil {
		return nil, Done{}, fmt.Errorf("resume from %s: its first line is not a zsic partial predictions header; is it another file? (remove it to start over)", path)
	}
	if diff := Diff(got.Fingerprint, h.Fingerprint); len(diff) > 0 {
		return nil, Done{}, fmt.Errorf("resume from %s: it belongs to another run; the file ≠ this run in %s (remove it to start over)", path, listFew(diff))
	}
	if !shardEqual(got.Shard, h.Shard) {
		return nil, Done{}, fmt.Errorf("resume from %s: it is part %s of the run, this is part %s (remove it to start over)", path, specName(got.Shard), specName(h.Shard))
	}
	want := make(map[int]bool, len(rows))
	for _, r := range rows {
		want[r] = true
	}
	var done Done
	seen := map[int]bool{}
	for i, l := range lines[1:] {
		if len(l) == 0 {
			continue
		}
		row, err := done.add(l, h.Fingerprint.Prompts.Classes.Count)
		switch {
		case err != nil:
			return nil, Done{}, fmt.Errorf("resume from %s: line %d: %v (remove the file to start over)", path, i+2, err)
		case !want[row]:
			return nil, Done{}, fmt.Errorf("resume from %s: line %d: row %d is not one this run evaluates (remove the file to start over)", path, i+2, row)
		case seen[row]:
			return nil, Done{}, fmt.Errorf("resume from %s: line %d: row %d appears twice (remove the file to start over)", path, i+2, row)
		}
		seen[row] = true
	}
	slices.SortFunc(done.Predictions, func(a, b zsic.Prediction) int { return a.Row - b.Row })
	slices.SortFunc(done.Failures, func(a, b zsic.Failure) int { return a.Row - b.Row })
	if path != newPath {
		if err := os.Rename(path, newPath); err != nil {
			return nil, Done{}, fmt.Errorf("resume from %s: move it to %s, the partial file's name now: %w", path, newPath, err)
		}
		path = newPath
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, Done{}, fmt.Errorf("resume: %w", err)
	}
	// Cut a torn last line, then append after the whole ones.
	if err := f.Truncate(int64(complete)); err != nil {
		f.Close()
		return nil, Done{}, fmt.Errorf("resume: %w", err)
	}
	if _, err := f.Seek(int64(complete), io.SeekStart); err != nil {
		f.Close()
		return nil, Done{}, fmt.Errorf("resume: %w", err)
	}
	return &Journal{path: path, f: f}, done, nil
}

// resumeFrom returns the partial file to resume: path, else legacy, else
// "" when neither exists. Both existing is an error.
func resumeFrom(path, legacy string) (string, error) {
	exists := func(p string) (bool, error) {
		_, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("resume: %w", err)
		}
		return true, nil
	}
	hasNew, err := exists(path)
	if err != nil {
		return "", err
	}
	hasOld, err := exists(legacy)
	if err != nil {
		return "", err
	}
	switch {
	case hasNew && hasOld:
		return "", fmt.Errorf("resume: both %s and %s (the name an older zsic gave it) hold partial predictions; remove the one not to continue", path, legacy)
	case hasNew:
		return path, nil
	case hasOld:
		return legacy, nil
	}
	return "", nil
}

// add decodes one line of a partial file, a prediction or a failure, and
// returns its row.
func (d *Done) add(line []byte, classes int) (int, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(line, &keys); err != nil {
		return 0, err
	}
	if _, ok := keys["error"]; ok {
		var f zsic.Failure
		if err := strictDecode(line, &f); err != nil {
			return 0, err
		}
		d.Failures = append(d.Failures, f)
		return f.Row, nil
	}
	var p zsic.Prediction
	if err := strictDecode(line, &p); err != nil {
		return 0, err
	}
	if err := checkPrediction(p, classes); err != nil {
		return 0, err
	}
	d.Predictions = append(d.Predictions, p)
	return p.Row, nil
}

func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Path returns the partial file's path.
func (j *Journal) Path() string { return j.path }

// Append writes one line per prediction and failure, and flushes them to
// disk.
func (j *Journal) Append(preds []zsic.Prediction, fails []zsic.Failure) error {
	for _, p := range preds {
		if err := j.line(p); err != nil {
			return err
		}
	}
	for _, f := range fails {
		if err := j.line(f); err != nil {
			return err
		}
	}
	return j.flush()
}

func (j *Journal) line(v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("partial predictions %s: %w", j.path, err)
	}
	j.buf.Write(line)
	j.buf.WriteByte('\n')
	return nil
}

func (j *Journal) flush() error {
	if _, err := j.f.Write(j.buf.Bytes()); err != nil {
		return fmt.Errorf("partial predictions %s: %w", j.path, err)
	}
	j.buf.Reset()
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("partial predictions %s: %w", j.path, err)
	}
	return nil
}

// Close closes the file, leaving it for a later Resume.
func (j *Journal) Close() error { return j.f.Close() }

// Remove closes and deletes the file, once the complete predictions are
// written.
func (j *Journal) Remove() error {
	j.f.Close()
	if err := os.Remove(j.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("partial predictions: %w", err)
	}
	return nil
}

// ReadPredictions reads a complete predictions file: one JSON prediction a
// line. Every line must be whole and well formed.
func ReadPredictions(path string) ([]zsic.Prediction, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read predictions: %w", err)
	}
	defer f.Close()
	var preds []zsic.Prediction
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var p zsic.Prediction
		if err := strictDecode(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("read predictions %s: line %d: %v", path, n, err)
		}
		preds = append(preds, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read predictions %s: %w", path, err)
	}
	return preds, nil
}

func shardEqual(a, b *Spec) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func specName(s *Spec) string {
	if s == nil {
		return "all (no shard)"
	}
	return s.String()
}

// listFew joins the first five items of list, noting how many are left.
func listFew(list []string) string {
	const n = 5
	if len(list) <= n {
		return strings.Join(list, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(list[:n], "; "), len(list)-n)
}
