package shard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/outfile"
	"github.com/zsic/zsic/zsic"
)

func preds(rows ...int) []zsic.Prediction {
	out := make([]zsic.Prediction, len(rows))
	for i, r := range rows {
		out[i] = pred(r)
	}
	return out
}

// partialOf returns target's partial predictions file.
func partialOf(t *testing.T, target string) string {
	t.Helper()
	p, err := PartialPath(target)
	require.NoError(t, err)
	return p
}

func TestJournalResume(t *testing.T) {
	target := filepath.Join(t.TempDir(), "preds.jsonl")
	h := Header{Fingerprint: testFingerprint(t, 6), Shard: &Spec{1, 2}}
	rows := []int{10, 11, 12, 13, 14, 15}

	// No partial file: a fresh start.
	j, done, err := Resume(target, h, rows)
	require.NoError(t, err)
	require.Zero(t, done.Rows())
	require.Equal(t, partialOf(t, target), j.Path())
	require.NoError(t, j.Append(preds(10, 11), nil))
	require.NoError(t, j.Append(preds(12), []zsic.Failure{{Row: 13, Err: "decode image: unknown format"}}))
	require.NoError(t, j.Close())

	// Killed while writing row 13: its line is torn.
	f, err := os.OpenFile(j.Path(), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"index":14,"label":4,"to`)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	j, done, err = Resume(target, h, rows)
	require.NoError(t, err)
	require.Equal(t, preds(10, 11, 12), done.Predictions)
	require.Equal(t, []zsic.Failure{{Row: 13, Err: "decode image: unknown format"}}, done.Failures)
	require.Equal(t, 4, done.Rows())
	require.NoError(t, j.Append(preds(15, 14), nil))
	require.NoError(t, j.Close())
	_, done, err = Resume(target, h, rows)
	require.NoError(t, err)
	require.Equal(t, preds(10, 11, 12, 14, 15), done.Predictions)
	require.Len(t, done.Failures, 1)

	// The file has no torn bytes left: every line is whole.
	data, err := os.ReadFile(j.Path())
	require.NoError(t, err)
	require.NotContains(t, string(data), `"to{`)
	require.Len(t, strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"), 7)

	j, _, err = Resume(target, h, rows)
	require.NoError(t, err)
	require.NoError(t, j.Remove())
	require.NoFileExists(t, j.Path())
}

func TestJournalTornHeader(t *testing.T) {
	target := filepath.Join(t.TempDir(), "preds.jsonl")
	require.NoError(t, os.WriteFile(partialOf(t, target), []byte(`{"zsic_partial_predictions":1,"fing`), 0o644))
	h := Header{Fingerprint: testFingerprint(t, 2)}
	j, done, err := Resume(target, h, []int{0, 1})
	require.NoError(t, err)
	require.Zero(t, done.Rows())
	require.NoError(t, j.Close())
	data, err := os.ReadFile(partialOf(t, target))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(data), `{"zsic_partial_predictions":1,"fingerprint":{`), string(data))
}

func TestJournalRefuses(t *testing.T) {
	h := Header{Fingerprint: testFingerprint(t, 4), Shard: &Spec{0, 2}}
	rows := []int{0, 1, 2, 3}
	other := testFingerprint(t, 4)
	other.Model.Towers["text-encoder"] = FileID{Size: 20, SHA256: "99"}
	tests := []struct {
		name  string
		setup func(target string)
		err   string
	}{
		{"another run", func(target string) {
			j, err := Create(target, Header{Fingerprint: other, Shard: &Spec{0, 2}})
			require.NoError(t, err)
			require.NoError(t, j.Close())
		}, `it belongs to another run; the file ≠ this run in model.towers.text-encoder.sha256: "99" ≠ "bb"`},
		{"another shard", func(target string) {
			j, err := Create(target, Header{Fingerprint: h.Fingerprint, Shard: &Spec{1, 2}})
			require.NoError(t, err)
			require.NoError(t, j.Close())
		}, "it is part 1/2 of the run, this is part 0/2"},
		{"not a partial file", func(target string) {
			require.NoError(t, os.WriteFile(partialOf(t, target), []byte(`{"index":0,"label":0,"top5":[0],"scores":[1]}`+"\n"), 0o644))
		}, "its first line is not a zsic partial predictions header"},
		{"row of another part", func(target string) {
			j, err := Create(target, h)
			require.NoError(t, err)
			require.NoError(t, j.Append(preds(0, 7), nil))
			require.NoError(t, j.Close())
		}, "line 3: row 7 is not one this run evaluates"},
		{"row twice", func(target string) {
			j, err := Create(target, h)
			require.NoError(t, err)
			require.NoError(t, j.Append(preds(0, 1), []zsic.Failure{{Row: 0, Err: "x"}}))
			require.NoError(t, j.Close())
		}, "line 4: row 0 appears twice"},
		{"bad label", func(target string) {
			j, err := Create(target, h)
			require.NoError(t, err)
			p := pred(1)
			p.Label = 10
			require.NoError(t, j.Append([]zsic.Prediction{p}, nil))
			require.NoError(t, j.Close())
		}, "line 2: row 1: label 10 is not a class id (the run has 10 classes)"},
		{"garbage line", func(target string) {
			j, err := Create(target, h)
			require.NoError(t, err)
			require.NoError(t, j.Close())
			f, err := os.OpenFile(partialOf(t, target), os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.WriteString("{\"index\": \"x\"}\n")
			require.NoError(t, err)
			require.NoError(t, f.Close())
		}, "line 2: json: cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "preds.jsonl")
			tt.setup(target)
			before, err := os.ReadFile(partialOf(t, target))
			require.NoError(t, err)
			_, _, err = Resume(target, h, rows)
			require.ErrorContains(t, err, tt.err)
			require.ErrorContains(t, err, partialOf(t, target))
			// A refused file is left as it was.
			after, err := os.ReadFile(partialOf(t, target))
			require.NoError(t, err)
			require.Equal(t, before, after)
		})
	}
}

// TestJournalName: the partial file is outfile's, beside the file the
// target leads to.
func TestJournalName(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "preds.jsonl")
	j, err := Create(target, Header{Fingerprint: testFingerprint(t, 2)})
	require.NoError(t, err)
	require.NoError(t, j.Close())
	require.Equal(t, filepath.Join(dir, ".preds.jsonl.partial"), j.Path())
	name, err := outfile.PartialName(target)
	require.NoError(t, err)
	require.Equal(t, name, j.Path())
	require.Equal(t, j.Path(), Leftover(target))

	// Through a symlink, beside the file it leads to.
	real := filepath.Join(dir, "real")
	require.NoError(t, os.Mkdir(real, 0o755))
	link := filepath.Join(dir, "link.jsonl")
	require.NoError(t, os.Symlink(filepath.Join("real", "p.jsonl"), link))
	j, err = Create(link, Header{Fingerprint: testFingerprint(t, 2)})
	require.NoError(t, err)
	require.NoError(t, j.Close())
	require.Equal(t, filepath.Join(real, ".p.jsonl.partial"), j.Path())
}

// TestJournalLegacyName resumes a partial file under the name older zsic
// gave it (target + ".partial"), moving it to the new name.
func TestJournalLegacyName(t *testing.T) {
	h := Header{Fingerprint: testFingerprint(t, 4)}
	rows := []int{0, 1, 2, 3}
	// legacy writes a partial file with rows 0 and 1 done under the old name.
	legacy := func(t *testing.T, target string, h Header) string {
		j, err := Create(target, h)
		require.NoError(t, err)
		require.NoError(t, j.Append(preds(0, 1), nil))
		require.NoError(t, j.Close())
		require.NoError(t, os.Rename(j.Path(), target+".partial"))
		return target + ".partial"
	}

	t.Run("resumed and moved", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "preds.jsonl")
		old := legacy(t, target, h)
		require.Equal(t, old, Leftover(target))
		j, done, err := Resume(target, h, rows)
		require.NoError(t, err)
		require.Equal(t, preds(0, 1), done.Predictions)
		require.Equal(t, partialOf(t, target), j.Path())
		require.NoFileExists(t, old)
		require.NoError(t, j.Append(preds(2), nil))
		require.NoError(t, j.Close())
		_, done, err = Resume(target, h, rows)
		require.NoError(t, err)
		require.Equal(t, preds(0, 1, 2), done.Predictions)
	})
	t.Run("another run's is refused and left", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "preds.jsonl")
		other := testFingerprint(t, 4)
		other.Model.Towers["text-encoder"] = FileID{Size: 20, SHA256: "99"}
		old := legacy(t, target, Header{Fingerprint: other})
		before := readFile(t, old)
		_, _, err := Resume(target, h, rows)
		require.ErrorContains(t, err, "resume from "+old+": it belongs to another run")
		require.Equal(t, before, readFile(t, old))
		require.NoFileExists(t, partialOf(t, target))
	})
	t.Run("both names: refused", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "preds.jsonl")
		old := legacy(t, target, h)
		j, err := Create(target+".x", h) // a second file, then named as the new partial
		require.NoError(t, err)
		require.NoError(t, j.Close())
		require.NoError(t, os.Rename(j.Path(), partialOf(t, target)))
		_, _, err = Resume(target, h, rows)
		require.ErrorContains(t, err, "resume: both "+partialOf(t, target)+" and "+old+" (the name an older zsic gave it) hold partial predictions")
		require.FileExists(t, old)
		require.FileExists(t, partialOf(t, target))
	})
	t.Run("a fresh start removes it", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "preds.jsonl")
		old := legacy(t, target, h)
		j, err := Create(target, h)
		require.NoError(t, err)
		require.NoError(t, j.Close())
		require.NoFileExists(t, old)
		_, done, err := Resume(target, h, rows)
		require.NoError(t, err)
		require.Zero(t, done.Rows())
	})
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

func TestReadPredictions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.jsonl")
	j, err := Create(path+".x", Header{Fingerprint: testFingerprint(t, 2)})
	require.NoError(t, err)
	require.NoError(t, j.Close())
	require.NoError(t, os.WriteFile(path, []byte(`{"index":3,"label":3,"top5":[3,0,1,2,4],"scores":[0.5,0.2,0.1,0.1,0.05]}`+"\n"), 0o644))
	got, err := ReadPredictions(path)
	require.NoError(t, err)
	require.Equal(t, preds(4)[0].Top5, []int{4, 0, 1, 2, 3})
	require.Equal(t, []zsic.Prediction{{Row: 3, Label: 3, Top5: []int{3, 0, 1, 2, 4}, Scores: []float64{0.5, 0.2, 0.1, 0.1, 0.05}}}, got)

	require.NoError(t, os.WriteFile(path, []byte("{\"index\":3}\n{\"bogus\":1}\n"), 0o644))
	_, err = ReadPredictions(path)
	require.ErrorContains(t, err, `line 2: json: unknown field "bogus"`)
}
