package zsic_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/progress"
)

// countingSource wraps a Source and counts the Read calls in flight.
type countingSource struct {
	dataset.Source
	inFlight atomic.Int32
}

func (s *countingSource) Read(rows []int, fn func(dataset.Sample) error) error {
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	return s.Source.Read(rows, fn)
}

// newRuntime returns a runtime closed when the test ends, after the
// classifiers opened on it (whose cleanups run first).
func newRuntime(t *testing.T) *zsic.Runtime {
	t.Helper()
	rt, err := zsic.NewRuntime(zsic.RuntimeOptions{Library: testenv.ORTLibrary(t), Threads: 1})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, rt.Close()) })
	return rt
}

// openTinyCLIP opens the tiny CLIP fixture on its own runtime, both closed
// when the test ends.
func openTinyCLIP(t *testing.T) *zsic.Classifier {
	t.Helper()
	m, err := zsic.LoadModel(filepath.Join(testenv.Root(t), "fixtures", "models", "tiny-clip"), nil, "")
	require.NoError(t, err)
	c, err := zsic.Open(newRuntime(t), m, zsic.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close()) })
	return c
}

func TestEvaluateStopsReaderOnCancel(t *testing.T) {
	c := openTinyCLIP(t)
	src, err := dataset.Open(testenv.CIFAR100(t), dataset.DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	cs := &countingSource{Source: src}
	rows, err := dataset.Select(src.Len(), 2000, false, 0)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	_, err = c.Evaluate(ctx, cs, rows, zsic.EvalOptions{Classes: src.Classes(), BatchSize: 8, Progress: func(u progress.Update) {
		if u.Done >= 64 {
			cancel()
		}
	}})
	require.True(t, errors.Is(err, context.Canceled), "got %v", err)
	require.Zero(t, cs.inFlight.Load(), "the reader still runs after Evaluate returned")
}

func TestEvaluateErrors(t *testing.T) {
	c := openTinyCLIP(t)
	src, err := dataset.Open(testenv.CIFAR100(t), dataset.DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	_, err = c.Evaluate(context.Background(), src, []int{0}, zsic.EvalOptions{})
	require.ErrorIs(t, err, zsic.ErrNoClasses)
	// A label beyond the class list is the dataset's fault, named by row.
	_, err = c.Evaluate(context.Background(), src, []int{0, 1, 2}, zsic.EvalOptions{Classes: []string{"apple"}})
	require.ErrorContains(t, err, "is not a class id (the dataset has 1 classes, 0 to 0)")
}
