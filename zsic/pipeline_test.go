package zsic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic/encoder"
	"github.com/zsic/zsic/zsic/progress"
)

// fakeImage is an image tower without ONNX Runtime: each image's embedding
// is the mean of each channel and their sum, as fixtures/encoder's test
// graphs compute. It records the batch sizes it ran.
type fakeImage struct {
	mu      sync.Mutex
	batches []int
	failAt  int // fail the failAt-th run (1-based); 0 never
	h, w    int
	// slow, when set, gives how long the run-th run (1-based) takes.
	slow          func(run int) time.Duration
	inFlight, top int   // runs in flight now, and at most so far
	finished      []int // runs in the order they ended
}

func (f *fakeImage) Embed(pixels []float32, n, height, width int) ([][]float32, error) {
	f.mu.Lock()
	f.batches = append(f.batches, n)
	run := len(f.batches)
	f.inFlight++
	f.top = max(f.top, f.inFlight)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.finished = append(f.finished, run)
		f.mu.Unlock()
	}()
	if f.slow != nil {
		time.Sleep(f.slow(run))
	}
	if run == f.failAt {
		return nil, errors.New("fake tower failed")
	}
	if len(pixels) != n*3*height*width {
		return nil, errors.New("bad pixel count")
	}
	per := height * width
	out := make([][]float32, n)
	for i := range out {
		var m [3]float32
		for c := range 3 {
			for _, v := range pixels[(i*3+c)*per : (i*3+c+1)*per] {
				m[c] += v
			}
			m[c] /= float32(per)
		}
		out[i] = []float32{m[0], m[1], m[2], m[0] + m[1] + m[2]}
	}
	return out, nil
}

func (f *fakeImage) Size() (int, int) { return f.h, f.w }
func (f *fakeImage) Output() encoder.IO {
	return encoder.IO{Name: "image_embeds", Type: "float32", Shape: []int64{-1, 4}}
}
func (f *fakeImage) Close() error { return nil }

// fakeText embeds each text as four numbers derived from its token ids.
type fakeText struct{}

func (fakeText) Embed(ids, mask [][]int64) ([][]float32, error) {
	out := make([][]float32, len(ids))
	for i, row := range ids {
		var e [4]float32
		for j, id := range row {
			if mask[i][j] == 1 {
				e[j%4] += float32(id%13) - 6
			}
		}
		out[i] = e[:]
	}
	return out, nil
}

func (fakeText) SeqLen() int { return 0 }
func (fakeText) Output() encoder.IO {
	return encoder.IO{Name: "text_embeds", Type: "float32", Shape: []int64{-1, 4}}
}
func (fakeText) Close() error { return nil }

// fakeClassifier assembles the tiny CLIP fixture's preprocessing and
// tokenizer with fake towers.
func fakeClassifier(t *testing.T, batch int) (*Classifier, *fakeImage) {
	t.Helper()
	m, err := LoadModel(filepath.Join(testenv.Root(t), "fixtures", "models", "tiny-clip"), nil, "")
	require.NoError(t, err)
	img := &fakeImage{}
	img.h, img.w = m.Preprocess.OutputSize()
	c, err := newClassifier(m, img, fakeText{}, Options{BatchSize: batch})
	require.NoError(t, err)
	return c, img
}

// testImage is a w×h image of one colour that depends on i.
func testImage(i, w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(37 * i), uint8(255 - 11*i), uint8(x * y * i), 255})
		}
	}
	return img
}

func testImages(n int) []image.Image {
	imgs := make([]image.Image, n)
	for i := range imgs {
		imgs[i] = testImage(i, 20+i, 17)
	}
	return imgs
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// memSource is a Source of samples in memory; it counts Reads in flight.
type memSource struct {
	samples  []Sample
	inFlight atomic.Int32
}

func (s *memSource) Read(rows []int, fn func(Sample) error) error {
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for _, r := range rows {
		if err := fn(s.samples[r]); err != nil {
			return err
		}
	}
	return nil
}

func TestClassifyBatchesInOrder(t *testing.T) {
	c, tower := fakeClassifier(t, 2)
	labels, err := c.EncodeLabels([]string{"cat", "dog", "maple tree"}, "", 0)
	require.NoError(t, err)
	imgs := testImages(5)
	got, err := c.Classify(context.Background(), imgs, labels)
	require.NoError(t, err)
	require.Equal(t, []int{2, 2, 1}, tower.batches)
	require.Len(t, got, 5)
	// Each image ranks as it does alone: batching changes nothing, and the
	// rows come back in input order.
	for i, img := range imgs {
		one, err := c.Classify(context.Background(), []image.Image{img}, labels)
		require.NoError(t, err)
		require.Equal(t, one[0], got[i], "image %d", i)
	}
	emb, err := c.EmbedImages(context.Background(), imgs)
	require.NoError(t, err)
	for i := range imgs {
		require.Equal(t, got[i], TopK(c.Scores(emb[i], labels), 0))
	}
}

func TestClassifyErrors(t *testing.T) {
	c, tower := fakeClassifier(t, 2)
	labels, err := c.EncodeLabels([]string{"cat", "dog"}, "", 0)
	require.NoError(t, err)
	imgs := testImages(3)
	imgs[1] = nil
	_, err = c.Classify(context.Background(), imgs, labels)
	var ie *ImageError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, 1, ie.Row)

	tower.failAt = len(tower.batches) + 1
	_, err = c.Classify(context.Background(), testImages(3), labels)
	require.ErrorContains(t, err, "fake tower failed")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.EmbedImages(ctx, testImages(3))
	require.ErrorIs(t, err, context.Canceled)
}

func TestEvaluateOnFakeTower(t *testing.T) {
	c, tower := fakeClassifier(t, 3)
	src := &memSource{}
	for i := range 8 {
		src.samples = append(src.samples, Sample{Row: i, Image: encodePNG(t, testImage(i, 24, 24)), Path: "img" + string(rune('0'+i)) + ".png", Label: i % 2})
	}
	src.samples[4].Image = []byte("not an image")
	rows := []int{0, 1, 2, 3, 4, 5, 6, 7}
	var updates []int64
	res, err := c.Evaluate(context.Background(), src, rows, EvalOptions{Classes: []string{"cat", "maple_tree"}, BatchSize: 3,
		Progress: func(u progress.Update) { updates = append(updates, u.Done) }})
	require.NoError(t, err)
	require.Equal(t, 7, res.Samples)
	require.Equal(t, []Failure{{Row: 4, Err: res.Failures[0].Err}}, res.Failures)
	require.Contains(t, res.Failures[0].Err, "decode image")
	require.Equal(t, []int{3, 3, 1}, tower.batches, "a failed image leaves no hole in a batch")
	require.Equal(t, []int64{3, 7, 8, 8}, updates, "progress counts failures; the last update is final")
	for i, p := range res.Predictions {
		want := i
		if i >= 4 {
			want++
		}
		require.Equal(t, want, p.Row, "predictions in row order")
		require.Len(t, p.Top5, 2)
	}

	// Strict: the bad image ends the run, as an *ImageError naming it.
	_, err = c.Evaluate(context.Background(), src, rows, EvalOptions{Classes: []string{"cat", "dog"}, Strict: true})
	var ie *ImageError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, ImageError{Row: 4, Path: "img4.png", Err: ie.Err}, *ie)
	require.ErrorContains(t, err, "row 4 (img4.png): decode image")
	require.Zero(t, src.inFlight.Load())

	// A tower error mid-run stops the reader before Evaluate returns.
	tower.failAt = len(tower.batches) + 2
	_, err = c.Evaluate(context.Background(), src, rows, EvalOptions{Classes: []string{"cat", "dog"}, BatchSize: 1})
	require.ErrorContains(t, err, "fake tower failed")
	require.Zero(t, src.inFlight.Load())

	_, err = c.Evaluate(context.Background(), src, nil, EvalOptions{Classes: []string{"cat"}})
	require.ErrorContains(t, err, "no rows to evaluate")
}

// TestConcurrentUse runs Classify, EmbedImages, EncodeLabels and Evaluate
// on one Classifier from several goroutines (run it with -race), and checks
// that each gets what it gets alone.
func TestConcurrentUse(t *testing.T) {
	c, _ := fakeClassifier(t, 2)
	names := []string{"cat", "dog", "maple tree", "aquarium fish"}
	labels, err := c.EncodeLabels(names, "", 0)
	require.NoError(t, err)
	imgs := testImages(5)
	want, err := c.Classify(context.Background(), imgs, labels)
	require.NoError(t, err)
	src := &memSource{}
	for i := range 6 {
		src.samples = append(src.samples, Sample{Row: i, Image: encodePNG(t, testImage(i, 16, 16)), Label: i % 4})
	}
	wantEval, err := c.Evaluate(context.Background(), src, []int{0, 1, 2, 3, 4, 5}, EvalOptions{Classes: names, BatchSize: 4})
	require.NoError(t, err)

	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			switch g % 3 {
			case 0:
				l, err := c.EncodeLabels(names, "", 0)
				require.NoError(t, err)
				require.Equal(t, labels, l)
			case 1:
				got, err := c.Classify(context.Background(), imgs, labels)
				require.NoError(t, err)
				require.Equal(t, want, got)
			case 2:
				got, err := c.Evaluate(context.Background(), src, []int{0, 1, 2, 3, 4, 5}, EvalOptions{Classes: names, BatchSize: 4})
				require.NoError(t, err)
				require.Equal(t, wantEval.Predictions, got.Predictions)
			}
		})
	}
	wg.Wait()
}

// TestStreams checks that Evaluate keeps up to Streams image-tower runs in
// flight, never more, and that runs finishing out of order change nothing:
// predictions come back in row order, the same as with one stream. A tower
// error stops the run with every tower run finished.
func TestStreams(t *testing.T) {
	c, tower := fakeClassifier(t, 2)
	src := &memSource{}
	var rows []int
	for i := range 24 {
		src.samples = append(src.samples, Sample{Row: i, Image: encodePNG(t, testImage(i, 20, 20)), Label: i % 3})
		rows = append(rows, i)
	}
	// Odd runs are slower, so the run after each finishes first.
	tower.slow = func(run int) time.Duration { return time.Duration(25+25*(run%2)) * time.Millisecond }
	opt := EvalOptions{Classes: []string{"cat", "dog", "maple tree"}, BatchSize: 2}
	var want []byte
	for _, streams := range []int{1, 2, 3} {
		c.streams = streams
		tower.top = 0
		res, err := c.Evaluate(context.Background(), src, rows, opt)
		require.NoError(t, err)
		require.Equal(t, streams, res.Streams)
		require.Equal(t, streams, tower.top, "%d streams: runs in flight at most", streams)
		got, err := json.Marshal(res.Predictions)
		require.NoError(t, err)
		if want == nil {
			want = got
		}
		require.Equal(t, string(want), string(got), "%d streams", streams)
	}

	tower.failAt = len(tower.batches) + 3
	_, err := c.Evaluate(context.Background(), src, rows, opt)
	require.ErrorContains(t, err, "fake tower failed")
	require.Zero(t, tower.inFlight, "no tower run outlives Evaluate")
	require.Zero(t, src.inFlight.Load())
}

// TestStreamsDoNotWait checks that a stream whose run ends before an
// earlier batch's run takes the next batch at once, instead of waiting for
// the earlier run to be emitted: with the first run slow, later runs start
// and end while it runs, and predictions still come back in row order.
func TestStreamsDoNotWait(t *testing.T) {
	c, tower := fakeClassifier(t, 2)
	c.streams = 2
	src := &memSource{}
	var rows []int
	for i := range 24 {
		src.samples = append(src.samples, Sample{Row: i, Image: encodePNG(t, testImage(i, 20, 20)), Label: i % 3})
		rows = append(rows, i)
	}
	tower.slow = func(run int) time.Duration {
		if run == 1 {
			return 400 * time.Millisecond
		}
		return 5 * time.Millisecond
	}
	res, err := c.Evaluate(context.Background(), src, rows, EvalOptions{Classes: []string{"cat", "dog", "maple tree"}, BatchSize: 2})
	require.NoError(t, err)
	require.Len(t, res.Predictions, 24)
	for i, p := range res.Predictions {
		require.Equal(t, i, p.Row, "predictions in row order")
	}
	require.Equal(t, 2, tower.top, "runs in flight at most")
	first := slices.Index(tower.finished, 1)
	require.GreaterOrEqual(t, first, 3, "runs 2, 3 and 4 end while run 1 runs: %v", tower.finished)
	require.Less(t, first, 2*c.streams+1, "runs get at most 2×streams ahead of the caller: %v", tower.finished)
}

// TestStreamsMemoryBound checks that streams whose batches in flight would
// hold too much memory are refused up front, naming the streams.
func TestStreamsMemoryBound(t *testing.T) {
	c, tower := fakeClassifier(t, 2)
	c.streams = 1 << 20
	_, err := c.Evaluate(context.Background(), &memSource{samples: []Sample{{Row: 0, Image: encodePNG(t, testImage(0, 8, 8))}}}, []int{0},
		EvalOptions{Classes: []string{"cat"}})
	require.ErrorContains(t, err, "1048576 streams")
	require.ErrorContains(t, err, "want at most 8192 MiB")
	require.Empty(t, tower.batches)
}

// TestDefaultStreamsYield checks that streams SplitFor chose, more than
// the bound allows (a stream per core on a very large machine), are
// lowered to fit instead of failing the run.
func TestDefaultStreamsYield(t *testing.T) {
	c, tower := fakeClassifier(t, 2)
	c.streams, c.defaultStreams = 1<<20, true
	samples := []Sample{{Row: 0, Image: encodePNG(t, testImage(0, 8, 8))}, {Row: 1, Image: encodePNG(t, testImage(1, 8, 8))}}
	res, err := c.Evaluate(context.Background(), &memSource{samples: samples}, []int{0, 1}, EvalOptions{Classes: []string{"cat"}, BatchSize: 1})
	require.NoError(t, err)
	require.Equal(t, 2, res.Samples)
	require.Len(t, tower.batches, 2)
}
