package shard

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic"
)

// parts splits a run of rows 0..total-1 into n parts; row 5 fails to
// decode.
func parts(t *testing.T, total, n int) []Part {
	fp := testFingerprint(t, total)
	rows := make([]int, total)
	for i := range rows {
		rows[i] = i
	}
	var out []Part
	for k := range n {
		s := Spec{k, n}
		mine, err := s.Rows(rows)
		require.NoError(t, err)
		p := Part{Name: "shard-" + s.String(), Shard: &s, Fingerprint: fp}
		for _, r := range mine {
			if r == 5 {
				p.Failures = append(p.Failures, zsic.Failure{Row: r, Err: "decode image: unknown format"})
				continue
			}
			p.Predictions = append(p.Predictions, pred(r))
		}
		out = append(out, p)
	}
	return out
}

func TestMergeEqualsSingleRun(t *testing.T) {
	single := parts(t, 23, 1)[0]
	want := zsic.Measure(single.Predictions, 10)
	for _, n := range []int{2, 3, 4, 7} {
		ps := parts(t, 23, n)
		// Any order of reports.
		ps[0], ps[n-1] = ps[n-1], ps[0]
		m, err := Merge(ps)
		require.NoError(t, err)
		require.Equal(t, n, m.Count)
		require.Equal(t, want, m.Metrics)
		require.Equal(t, single.Predictions, m.Predictions)
		require.Equal(t, single.Failures, m.Failures)
	}
}

func TestMergeRefuses(t *testing.T) {
	tests := []struct {
		name   string
		mangle func(ps []Part) []Part
		errs   []string
	}{
		{"missing", func(ps []Part) []Part { return append(ps[:1], ps[2:]...) }, []string{"missing shard(s) 1/4 of 4"}},
		{"missing two", func(ps []Part) []Part { return ps[:2] }, []string{"missing shard(s) 2/4, 3/4 of 4"}},
		{"twice", func(ps []Part) []Part { return append(ps, ps[2]) }, []string{"shard 2/4 is given 2 times: shard-2/4, shard-2/4"}},
		{"another model", func(ps []Part) []Part {
			fp := *ps[3].Fingerprint
			fp.Model.Towers = map[string]FileID{"image-encoder": {Size: 10, SHA256: "aa"}, "text-encoder": {Size: 21, SHA256: "b2"}}
			ps[3].Fingerprint = &fp
			ps[3].Name = "odd.json"
			return ps
		}, []string{`odd.json is from another run than shard-0/4: model.towers.text-encoder.sha256: "bb" ≠ "b2"; model.towers.text-encoder.size: 20 ≠ 21`, "missing shard(s) 3/4 of 4"}},
		{"another dataset", func(ps []Part) []Part {
			fp := *ps[1].Fingerprint
			fp.Dataset.Rows = 999
			ps[1].Fingerprint = &fp
			return ps
		}, []string{"shard-1/4 is from another run than shard-0/4: dataset.rows: 1000 ≠ 999"}},
		{"split differently", func(ps []Part) []Part {
			ps[1].Shard = &Spec{1, 3}
			return ps
		}, []string{"shard-1/4 is shard 1/3 but shard-0/4 is shard 0/4: the runs were split differently", "missing shard(s) 1/4"}},
		{"not a shard", func(ps []Part) []Part {
			ps[2].Shard = nil
			ps[2].Name = "single.json"
			return ps
		}, []string{"single.json is not a shard report"}},
		{"duplicate row", func(ps []Part) []Part {
			ps[1].Predictions[0] = pred(0)
			return ps
		}, []string{"1 duplicate row(s): row 0 in shard-0/4 and shard-1/4"}},
		{"incomplete", func(ps []Part) []Part {
			ps[3].Predictions = ps[3].Predictions[:2]
			return ps
		}, []string{"shard-3/4 (shard 3/4) has 2 rows (2 predictions, 0 failures), want 6 of the 23 selected"}},
		{"bad label", func(ps []Part) []Part {
			ps[0].Predictions[1].Top5[2] = 10
			return ps
		}, []string{"shard-0/4: row 1: predicted label 10 is not a class id (the run has 10 classes)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Merge(tt.mangle(parts(t, 23, 4)))
			require.Error(t, err)
			for _, e := range tt.errs {
				require.ErrorContains(t, err, e)
			}
		})
	}
	_, err := Merge(nil)
	require.ErrorContains(t, err, "no shard reports")
}
