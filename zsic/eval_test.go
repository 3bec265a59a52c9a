package zsic

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/encoder"
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

func openTinyCLIP(t *testing.T) *Classifier {
	t.Helper()
	m, err := LoadModel(filepath.Join(testenv.Root(t), "fixtures", "models", "tiny-clip"), nil, "")
	require.NoError(t, err)
	c, err := Open(m, encoder.Options{Threads: 1})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
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
	_, err = c.Evaluate(ctx, cs, rows, EvalOptions{Classes: src.Classes(), BatchSize: 8, Progress: func(done, total int) {
		if done >= 64 {
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
	_, err = c.Evaluate(context.Background(), src, []int{0}, EvalOptions{})
	require.ErrorIs(t, err, dataset.ErrNoClasses)
	// A label beyond the class list is the dataset's fault, named by row.
	_, err = c.Evaluate(context.Background(), src, []int{0, 1, 2}, EvalOptions{Classes: []string{"apple"}})
	require.ErrorContains(t, err, "is not a class id (the dataset has 1 classes, 0 to 0)")
}
