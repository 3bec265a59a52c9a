package shard

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestParse(t *testing.T) {
	tests := []struct {
		arg  string
		env  map[string]string
		want Spec
		err  string
	}{
		{arg: "0/1", want: Spec{0, 1}},
		{arg: "2/3", want: Spec{2, 3}},
		{arg: "3/3", err: "shard 3/3: the part must be from 0 to 2"},
		{arg: "-1/3", err: "the part must be from 0 to 2"},
		{arg: "0/0", err: "the number of parts must be at least 1, not 0"},
		{arg: "0/-2", err: "the number of parts must be at least 1, not -2"},
		{arg: "x/3", err: `part "x" is not an integer`},
		{arg: "1/y", err: `number of parts "y" is not an integer`},
		{arg: "3", err: `want K/N (part K of N, from 0), auto/N or auto`},
		{arg: "auto/4", env: map[string]string{EnvJobIndex: "3"}, want: Spec{3, 4}},
		{arg: "auto/4", env: map[string]string{EnvJobIndex: "4"}, err: "the part must be from 0 to 3"},
		{arg: "auto", env: map[string]string{EnvJobIndex: "1"}, err: "gives the part but not the number of parts; write auto/N"},
		{arg: "auto/4", env: map[string]string{EnvJobIndex: "-1"}, err: `JOB_COMPLETION_INDEX="-1": want a non-negative integer`},
		{arg: "auto/0", env: map[string]string{EnvJobIndex: "0"}, err: "at least 1, not 0"},
		{arg: "auto", err: "neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (Slurm job array) is set"},
		{arg: "auto/3", err: "neither JOB_COMPLETION_INDEX"},
		{arg: "auto", env: map[string]string{EnvSlurmID: "2", EnvSlurmCount: "4", EnvSlurmMin: "0"}, want: Spec{2, 4}},
		{arg: "auto", env: map[string]string{EnvSlurmID: "3", EnvSlurmCount: "4", EnvSlurmMin: "1"}, want: Spec{2, 4}},
		{arg: "auto/4", env: map[string]string{EnvSlurmID: "6", EnvSlurmCount: "4", EnvSlurmMin: "0", EnvSlurmStep: "2"}, want: Spec{3, 4}},
		{arg: "auto/3", env: map[string]string{EnvSlurmID: "2", EnvSlurmCount: "4", EnvSlurmMin: "0"}, err: "the array has SLURM_ARRAY_TASK_COUNT=4 tasks but 3 parts were asked"},
		{arg: "auto", env: map[string]string{EnvSlurmID: "2"}, err: "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not"},
		{arg: "auto", env: map[string]string{EnvSlurmID: "7", EnvSlurmCount: "3", EnvSlurmMin: "0"}, err: "SLURM_ARRAY_TASK_ID=7 is part 7 of only SLURM_ARRAY_TASK_COUNT=3"},
		{arg: "auto", env: map[string]string{EnvSlurmID: "3", EnvSlurmCount: "3", EnvSlurmMin: "0", EnvSlurmStep: "2"}, err: "is not SLURM_ARRAY_TASK_MIN=0 plus a multiple of the step 2"},
		{arg: "auto", env: map[string]string{EnvSlurmID: "0", EnvSlurmCount: "3", EnvSlurmMin: "1"}, err: "is not SLURM_ARRAY_TASK_MIN=1 plus a multiple"},
		{arg: "auto", env: map[string]string{EnvSlurmID: "0", EnvJobIndex: "0"}, err: "both JOB_COMPLETION_INDEX (Kubernetes) and SLURM_ARRAY_TASK_ID (Slurm) are set"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, err := Parse(tt.arg, env(tt.env))
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// TestRowsPartition checks that the parts of any selection are contiguous,
// disjoint, cover it in order and differ in size by at most one.
func TestRowsPartition(t *testing.T) {
	for _, total := range []int{1, 2, 7, 50, 101} {
		rows := make([]int, total)
		for i := range rows {
			rows[i] = 3*i + 1 // any ascending rows
		}
		for n := 1; n <= min(total, 9); n++ {
			var all []int
			minSize, maxSize := total, 0
			for k := range n {
				part, err := Spec{k, n}.Rows(rows)
				require.NoError(t, err)
				all = append(all, part...)
				minSize, maxSize = min(minSize, len(part)), max(maxSize, len(part))
			}
			require.Equal(t, rows, all, "total %d, %d parts", total, n)
			require.LessOrEqual(t, maxSize-minSize, 1)
			require.Positive(t, minSize)
		}
	}
	_, err := Spec{0, 5}.Rows([]int{1, 2, 3})
	require.ErrorContains(t, err, "shard 0/5: the selection has 3 rows, fewer than the 5 parts; use at most 3 parts")
	_, err = Spec{5, 5}.Rows([]int{1, 2, 3, 4, 5, 6})
	require.ErrorContains(t, err, "the part must be from 0 to 4")
}
