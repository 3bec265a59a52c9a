package shard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic"
)

func preds(rows ...int) []zsic.Prediction {
	out := make([]zsic.Prediction, len(rows))
	for i, r := range rows {
		out[i] = pred(r)
	}
	return out
}

func TestJournalResume(t *testing.T) {
	target := filepath.Join(t.TempDir(), "preds.jsonl")
	h := Header{Fingerprint: testFingerprint(t, 6), Shard: &Spec{1, 2}}
	rows := []int{10, 11, 12, 13, 14, 15}

	// No partial file: a fresh start.
	j, done, err := Resume(target, h, rows)
	require.NoError(t, err)
	require.Zero(t, done.Rows())
	require.Equal(t, target+PartialSuffix, j.Path())
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
	require.NoError(t, os.WriteFile(target+PartialSuffix, []byte(`{"zsic_partial_predictions":1,"fing`), 0o644))
	h := Header{Fingerprint: testFingerprint(t, 2)}
	j, done, err := Resume(target, h, []int{0, 1})
	require.NoError(t, err)
	require.Zero(t, done.Rows())
	require.NoError(t, j.Close())
	data, err := os.ReadFile(target + PartialSuffix)
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
			require.NoError(t, os.WriteFile(target+PartialSuffix, []byte(`{"index":0,"label":0,"top5":[0],"scores":[1]}`+"\n"), 0o644))
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
			f, err := os.OpenFile(target+PartialSuffix, os.O_APPEND|os.O_WRONLY, 0)
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
			before, err := os.ReadFile(target + PartialSuffix)
			require.NoError(t, err)
			_, _, err = Resume(target, h, rows)
			require.ErrorContains(t, err, tt.err)
			require.ErrorContains(t, err, target+PartialSuffix)
			// A refused file is left as it was.
			after, err := os.ReadFile(target + PartialSuffix)
			require.NoError(t, err)
			require.Equal(t, before, after)
		})
	}
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
