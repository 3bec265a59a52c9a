package regress_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sebdah/goldie/v2"
	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/regress"
	"github.com/zsic/zsic/zsic"
)

// TestCLIP runs every CLIP case against its golden (go test -run CLIP).
func TestCLIP(t *testing.T) { testFamily(t, regress.CLIP) }

// TestSigLIP runs every SigLIP case against its golden (go test -run
// SigLIP).
func TestSigLIP(t *testing.T) { testFamily(t, regress.SigLIP) }

// testFamily runs the cases of a family as subtests named by their path,
// and by the device off the CPU (see Env.TestName).
func testFamily(t *testing.T, f regress.Family) {
	env := testEnv(t)
	for _, c := range casesOf(f) {
		t.Run(env.TestName(c), func(t *testing.T) { checkGolden(t, c) })
	}
}

// checkGolden runs a case and compares the outcome with its golden on the
// suite's device, or with the CPU golden under the cross-device band when
// the device has none; with -update it writes the device's golden instead.
func checkGolden(t *testing.T, c regress.Case) {
	env := testEnv(t)
	got := run(t, c)
	path, cross := env.GoldenFor(c)
	if updating() {
		path, cross = env.GoldenPath(c), false
	} else if _, err := os.Stat(path); err != nil {
		t.Fatalf("case %s has no golden %s: run `make golden` (go test ./regress -update) to record this run, then review and commit it", c.Name(), path)
	}
	data, err := got.Bytes()
	require.NoError(t, err)
	g := goldie.New(t,
		goldie.WithFixtureDir(filepath.Dir(path)),
		goldie.WithNameSuffix(regress.GoldenSuffix),
		goldie.WithEqualFn(func(actual, expected []byte) bool { return judge(c, cross, actual, expected).OK() }),
		goldie.WithDiffFn(func(actual, expected string) string {
			return judge(c, cross, []byte(actual), []byte(expected)).String()
		}))
	g.Assert(t, c.GoldenName(), data)
	if recorded, err := os.ReadFile(path); err == nil && !t.Failed() {
		t.Logf("device %s%s, golden %s\n%s", env.Device(), placementNote(placement(t, c, nil)), path, judge(c, cross, data, recorded))
	}
}

// placementNote describes a run's placement for a test log, "" when it
// was not measured.
func placementNote(p zsic.Placements) string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf(" (nodes by execution provider: %s)", p)
}

// judge compares a run's golden bytes with the recorded golden's. Under
// the recorded golden's own band, that band must be the one the case's
// policy gives now; cross compares with a CPU golden under
// CrossDeviceBand instead.
func judge(c regress.Case, cross bool, actual, expected []byte) regress.Report {
	golden, err := regress.DecodeGolden(expected)
	if err != nil {
		return regress.Report{Case: c.Name(), Problems: []string{fmt.Sprintf("golden unreadable (rewrite it with `make golden`): %v", err)}}
	}
	got, err := regress.DecodeGolden(actual)
	if err != nil {
		return regress.Report{Case: c.Name(), Problems: []string{fmt.Sprintf("run unreadable: %v", err)}}
	}
	if cross {
		return regress.Compare(golden, got, regress.CrossDeviceBand(c, golden))
	}
	r := regress.Compare(golden, got, golden.Band)
	if want := c.Policy.Band(golden.Samples, golden.Metrics); want != golden.Band {
		r.Problems = append(r.Problems, fmt.Sprintf("the golden's band (%s) is not the one the case's policy now gives (%s): run `make golden` to record it", golden.Band.Reason, want.Reason))
	}
	if golden.DeviceOf() != got.DeviceOf() {
		r.Problems = append(r.Problems, fmt.Sprintf("the golden %s was recorded on %s, the run is on %s", c.GoldenName(), golden.DeviceOf(), got.DeviceOf()))
	}
	return r
}

// TestPlacementForced checks the suite's placement path on the CPU, where
// only ZSIC_PLACEMENT=1 turns it on: every node of both towers on the CPU
// provider, and the note the test logs carry.
func TestPlacementForced(t *testing.T) {
	t.Setenv(regress.PlacementEnv, "1")
	require.True(t, testEnv(t).Placement)
	c := regress.Cases()[0] // CLIP/tiny-clip/fp32
	p := placement(t, c, open(t, c))
	require.Len(t, p, 2)
	for role, pl := range p {
		require.Equal(t, "CPU", pl.Provider, role)
		require.Greater(t, pl.OnDevice(), 0, role)
		require.Zero(t, pl.Fallback(), role)
	}
	require.Regexp(t, `^ \(nodes by execution provider: image-encoder CPU [1-9][0-9]*; text-encoder CPU [1-9][0-9]*\)$`, placementNote(p))

	t.Setenv(regress.PlacementEnv, "0")
	require.Nil(t, placement(t, c, nil))
	require.Equal(t, "", placementNote(nil))
}
