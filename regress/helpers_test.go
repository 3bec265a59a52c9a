package regress_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/regress"
	"github.com/zsic/zsic/zsic"
)

// testEnv returns where this machine keeps the suite's inputs.
func testEnv(t testing.TB) regress.Env {
	t.Helper()
	rt, err := regress.RuntimeFromEnv()
	require.NoError(t, err)
	placement, err := regress.PlacementFromEnv(rt.Device)
	require.NoError(t, err)
	return regress.Env{
		Root:      testenv.Root(t),
		Dataset:   testenv.CIFAR100(t),
		ModelsDir: os.Getenv(regress.ModelsDirEnv),
		Runtime:   rt,
		Placement: placement,
	}
}

// shared is the suite of this test binary, opened once: resolving the
// manifest reads the whole dataset.
var shared struct {
	once  sync.Once
	suite *regress.Suite
	err   error
}

// suite returns the shared suite, opening it on first use.
func suite(t testing.TB) *regress.Suite {
	t.Helper()
	env := testEnv(t) // outside once: it may fail the test
	shared.once.Do(func() { shared.suite, shared.err = regress.OpenSuite(env) })
	require.NoError(t, shared.err)
	return shared.suite
}

// outcome is a case's run, made once per test binary.
type outcome struct {
	once   sync.Once
	golden *regress.Golden
	err    error
}

// outcomes holds each case's outcome, by case name.
var outcomes sync.Map

// run returns the outcome of a case's model on its sample, running it on
// first use; it skips the test when the case is a real model that is not
// here.
func run(t testing.TB, c regress.Case) *regress.Golden {
	t.Helper()
	s := suite(t)
	v, _ := outcomes.LoadOrStore(c.Name(), &outcome{})
	o := v.(*outcome)
	measure := testEnv(t).Placement
	o.once.Do(func() {
		clf, err := s.Open(c)
		if err != nil {
			o.err = err
			return
		}
		defer clf.Close()
		if measure {
			measurePlacement(c, clf)
		}
		o.golden, o.err = s.Run(context.Background(), c, clf)
	})
	skipAbsent(t, o.err)
	require.NoError(t, o.err)
	return o.golden
}

// placements holds each case's measured placement, by case name.
var placements sync.Map

// placed is a case's placement, measured once per test binary.
type placed struct {
	once sync.Once
	p    zsic.Placements
	err  error
}

// measurePlacement measures where ONNX Runtime places the towers of clf, a
// model of case c, once per test binary.
func measurePlacement(c regress.Case, clf *zsic.Classifier) *placed {
	v, _ := placements.LoadOrStore(c.Name(), &placed{})
	o := v.(*placed)
	o.once.Do(func() {
		if clf == nil {
			o.err = fmt.Errorf("case %s: no model to measure", c.Name())
			return
		}
		o.p, o.err = clf.Placement()
	})
	return o
}

// placement returns where ONNX Runtime places the towers of case c (see
// zsic.Classifier.Placement), measured once per test binary on clf, a
// model of the case (nil once run has measured it), or nil when the suite
// does not measure placement (regress.PlacementEnv). A failure to measure
// fails the test when ZSIC_PLACEMENT=1 asked for it, and is logged
// otherwise.
func placement(t testing.TB, c regress.Case, clf *zsic.Classifier) zsic.Placements {
	t.Helper()
	if !testEnv(t).Placement {
		return nil
	}
	o := measurePlacement(c, clf)
	if o.err != nil && os.Getenv(regress.PlacementEnv) == "1" {
		require.NoError(t, o.err, "%s=1", regress.PlacementEnv)
	}
	if o.err != nil {
		t.Logf("placement not measured: %v", o.err)
	}
	return o.p
}

// skipAbsent skips the test, saying how to provide the model, when err
// reports an absent real model.
func skipAbsent(t testing.TB, err error) {
	t.Helper()
	if regress.IsAbsent(err) {
		t.Skip(err.Error())
	}
}

// classifiers holds the benchmarks' open models, by case name.
var classifiers sync.Map

// classifier is a case's open model, made once per test binary.
type classifier struct {
	once sync.Once
	clf  *zsic.Classifier
	err  error
}

// open returns a case's model, opened once per test binary and left open
// until it exits.
func open(t testing.TB, c regress.Case) *zsic.Classifier {
	t.Helper()
	s := suite(t)
	v, _ := classifiers.LoadOrStore(c.Name(), &classifier{})
	o := v.(*classifier)
	o.once.Do(func() { o.clf, o.err = s.Open(c) })
	skipAbsent(t, o.err)
	require.NoError(t, o.err)
	return o.clf
}

// readGolden reads the golden a run of a case on the suite's device is
// compared with (see Env.GoldenFor), and the band it is held to: the
// golden's own, or the cross-device band when the device has no golden of
// its own. It fails the test with how to write the golden when there is
// none.
func readGolden(t testing.TB, c regress.Case) (*regress.Golden, regress.Band) {
	t.Helper()
	path, cross := testEnv(t).GoldenFor(c)
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Fatalf("case %s has no golden %s: run `make golden` (go test ./regress -update) to record a run, then review and commit it", c.Name(), path)
	}
	require.NoError(t, err)
	g, err := regress.DecodeGolden(data)
	require.NoError(t, err, path)
	if cross {
		return g, regress.CrossDeviceBand(c, g)
	}
	return g, g.Band
}

// casesOf returns the cases of a family.
func casesOf(f regress.Family) []regress.Case {
	var out []regress.Case
	for _, c := range regress.Cases() {
		if c.Family == f {
			out = append(out, c)
		}
	}
	return out
}

// updating reports whether -update (goldie's flag, `make golden`) is set.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}
