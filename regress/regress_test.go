package regress_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sebdah/goldie/v2"
	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/regress"
)

// TestCLIP runs every CLIP case against its golden (go test -run CLIP).
func TestCLIP(t *testing.T) { testFamily(t, regress.CLIP) }

// TestSigLIP runs every SigLIP case against its golden (go test -run
// SigLIP).
func TestSigLIP(t *testing.T) { testFamily(t, regress.SigLIP) }

// testFamily runs the cases of a family as subtests named by their path.
func testFamily(t *testing.T, f regress.Family) {
	for _, c := range casesOf(f) {
		t.Run(c.Path, func(t *testing.T) { checkGolden(t, c) })
	}
}

// checkGolden runs a case and compares the outcome with its golden; with
// -update it writes the golden instead.
func checkGolden(t *testing.T, c regress.Case) {
	env := testEnv(t)
	got := run(t, c)
	if !updating() {
		if _, err := os.Stat(env.GoldenPath(c)); err != nil {
			t.Fatalf("case %s has no golden %s: run `make golden` (go test ./regress -update) to record this run, then review and commit it", c.Name(), env.GoldenPath(c))
		}
	}
	data, err := got.Bytes()
	require.NoError(t, err)
	g := goldie.New(t,
		goldie.WithFixtureDir(filepath.Join(env.Root, regress.GoldenDir)),
		goldie.WithNameSuffix(regress.GoldenSuffix),
		goldie.WithEqualFn(func(actual, expected []byte) bool { return judge(c, actual, expected).OK() }),
		goldie.WithDiffFn(func(actual, expected string) string { return judge(c, []byte(actual), []byte(expected)).String() }))
	g.Assert(t, c.GoldenName(), data)
	if recorded, err := os.ReadFile(env.GoldenPath(c)); err == nil && !t.Failed() {
		t.Log(judge(c, data, recorded).String())
	}
}

// judge compares a run's golden bytes with the recorded golden's under the
// recorded band, which must be the band the case's policy gives now.
func judge(c regress.Case, actual, expected []byte) regress.Report {
	golden, err := regress.DecodeGolden(expected)
	if err != nil {
		return regress.Report{Case: c.Name(), Problems: []string{fmt.Sprintf("golden unreadable (rewrite it with `make golden`): %v", err)}}
	}
	got, err := regress.DecodeGolden(actual)
	if err != nil {
		return regress.Report{Case: c.Name(), Problems: []string{fmt.Sprintf("run unreadable: %v", err)}}
	}
	r := regress.Compare(golden, got, golden.Band)
	if want := c.Policy.Band(golden.Samples, golden.Metrics); want != golden.Band {
		r.Problems = append(r.Problems, fmt.Sprintf("the golden's band (%s) is not the one the case's policy now gives (%s): run `make golden` to record it", golden.Band.Reason, want.Reason))
	}
	return r
}
