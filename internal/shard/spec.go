// Package shard splits an evaluation run into parts that separate processes
// evaluate, identifies a run by its fingerprint, merges the parts back into
// one result, and keeps the partial predictions file from which a killed run
// resumes.
//
// A run's rows are the ones its selection picks (the first N, a seeded
// sample, or a manifest). Part K of N is the K-th contiguous slice of those
// rows, so the parts are disjoint, their union is the single-process
// selection, and their sizes differ by at most one. Contiguous parts keep
// each process on neighbouring rows (one parquet row group after another)
// and make the parts' predictions, concatenated in part order, already
// ordered by row.
package shard

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Spec is one part of a run split into Count parts: the part numbered Index,
// from 0.
type Spec struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// String returns "K/N".
func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Validate reports a count below 1 or an index outside [0, count).
func (s Spec) Validate() error {
	if s.Count < 1 {
		return fmt.Errorf("shard %s: the number of parts must be at least 1", s)
	}
	if s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("shard %s: the part must be from 0 to %d", s, s.Count-1)
	}
	return nil
}

// Bounds returns the half-open range [lo, hi) of positions that part s
// takes from a selection of n rows.
func (s Spec) Bounds(n int) (lo, hi int) {
	lo = int(int64(s.Index) * int64(n) / int64(s.Count))
	hi = int(int64(s.Index+1) * int64(n) / int64(s.Count))
	return lo, hi
}

// Rows returns the rows of the selection that part s evaluates. It fails
// when the selection has fewer rows than parts, since a part would be
// empty.
func (s Spec) Rows(rows []int) ([]int, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if len(rows) < s.Count {
		return nil, fmt.Errorf("shard %s: the selection has %d rows, fewer than the %d parts; use at most %d parts", s, len(rows), s.Count, len(rows))
	}
	lo, hi := s.Bounds(len(rows))
	return rows[lo:hi], nil
}

// Environment variables the engines set in each task.
const (
	// EnvJobIndex is set by a Kubernetes Indexed Job in each pod.
	EnvJobIndex = "JOB_COMPLETION_INDEX"
	// EnvSlurmID and the next three are set by a Slurm job array.
	EnvSlurmID    = "SLURM_ARRAY_TASK_ID"
	EnvSlurmCount = "SLURM_ARRAY_TASK_COUNT"
	EnvSlurmMin   = "SLURM_ARRAY_TASK_MIN"
	EnvSlurmStep  = "SLURM_ARRAY_TASK_STEP"
)

// Parse reads a shard argument: "K/N" names part K of N; "auto/N" and "auto"
// read the part (and, from Slurm, the count) from the environment through
// getenv: JOB_COMPLETION_INDEX (Kubernetes gives no count, so it needs
// "auto/N"), or SLURM_ARRAY_TASK_ID less SLURM_ARRAY_TASK_MIN, divided by
// SLURM_ARRAY_TASK_STEP, of SLURM_ARRAY_TASK_COUNT parts.
func Parse(arg string, getenv func(string) string) (Spec, error) {
	k, n, ok := strings.Cut(arg, "/")
	if k == "auto" {
		want := 0
		if ok {
			v, err := count(n)
			if err != nil {
				return Spec{}, fmt.Errorf("shard %s: %w", arg, err)
			}
			want = v
		}
		s, err := fromEnv(getenv, want)
		if err != nil {
			return Spec{}, fmt.Errorf("shard %s: %w", arg, err)
		}
		return s, s.Validate()
	}
	if !ok {
		return Spec{}, fmt.Errorf("shard %q: want K/N (part K of N, from 0), auto/N or auto", arg)
	}
	idx, err := strconv.Atoi(k)
	if err != nil {
		return Spec{}, fmt.Errorf("shard %s: part %q is not an integer (want K/N, auto/N or auto)", arg, k)
	}
	c, err := count(n)
	if err != nil {
		return Spec{}, fmt.Errorf("shard %s: %w", arg, err)
	}
	s := Spec{Index: idx, Count: c}
	return s, s.Validate()
}

func count(n string) (int, error) {
	c, err := strconv.Atoi(n)
	if err != nil {
		return 0, fmt.Errorf("number of parts %q is not an integer", n)
	}
	if c < 1 {
		return 0, fmt.Errorf("the number of parts must be at least 1, not %d", c)
	}
	return c, nil
}

// fromEnv reads the part from the engine's variables; want is the count the
// user gave, or 0.
func fromEnv(getenv func(string) string, want int) (Spec, error) {
	job, slurm := getenv(EnvJobIndex), getenv(EnvSlurmID)
	switch {
	case job != "" && slurm != "":
		return Spec{}, fmt.Errorf("both %s (Kubernetes) and %s (Slurm) are set; give the part explicitly as K/N", EnvJobIndex, EnvSlurmID)
	case job != "":
		idx, err := envInt(EnvJobIndex, job)
		if err != nil {
			return Spec{}, err
		}
		if want == 0 {
			return Spec{}, fmt.Errorf("%s=%s gives the part but not the number of parts; write auto/N with N the Job's completions", EnvJobIndex, job)
		}
		return Spec{Index: idx, Count: want}, nil
	case slurm != "":
		return slurmSpec(getenv, want)
	}
	return Spec{}, fmt.Errorf("neither %s (Kubernetes Indexed Job) nor %s (Slurm job array) is set; outside those engines give the part as K/N", EnvJobIndex, EnvSlurmID)
}

func slurmSpec(getenv func(string) string, want int) (Spec, error) {
	id, err := envInt(EnvSlurmID, getenv(EnvSlurmID))
	if err != nil {
		return Spec{}, err
	}
	vals := map[string]int{}
	for _, name := range []string{EnvSlurmCount, EnvSlurmMin} {
		v := getenv(name)
		if v == "" {
			return Spec{}, fmt.Errorf("%s is set but %s is not (Slurm sets both in an array job)", EnvSlurmID, name)
		}
		if vals[name], err = envInt(name, v); err != nil {
			return Spec{}, err
		}
	}
	step := 1
	if v := getenv(EnvSlurmStep); v != "" {
		if step, err = envInt(EnvSlurmStep, v); err != nil {
			return Spec{}, err
		}
		if step == 0 {
			return Spec{}, errors.New(EnvSlurmStep + "=0: want a positive step")
		}
	}
	off := id - vals[EnvSlurmMin]
	if off < 0 || off%step != 0 {
		return Spec{}, fmt.Errorf("%s=%d is not %s=%d plus a multiple of the step %d; use a regular array such as --array=0-%d", EnvSlurmID, id, EnvSlurmMin, vals[EnvSlurmMin], step, vals[EnvSlurmCount]-1)
	}
	s := Spec{Index: off / step, Count: vals[EnvSlurmCount]}
	if want != 0 && want != s.Count {
		return Spec{}, fmt.Errorf("the array has %s=%d tasks but %d parts were asked; write auto, or make them agree", EnvSlurmCount, s.Count, want)
	}
	if s.Index >= s.Count {
		return Spec{}, fmt.Errorf("%s=%d is part %d of only %s=%d; use a regular array such as --array=0-%d", EnvSlurmID, id, s.Index, EnvSlurmCount, s.Count, s.Count-1)
	}
	return s, nil
}

func envInt(name, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a non-negative integer", name, v)
	}
	return n, nil
}
