package zsic_test

import (
	"context"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
)

// Towers from two models whose embeddings differ in width are refused when
// opened, naming both files, in either order.
func TestOpenTowerWidthMismatch(t *testing.T) {
	models := filepath.Join(testenv.Root(t), "fixtures", "models")
	clipDir, siglipDir := filepath.Join(models, "tiny-clip"), filepath.Join(models, "tiny-siglip")
	for _, tc := range []struct {
		name        string
		dir         string
		image, text string
	}{
		{"siglip image, clip text", clipDir, filepath.Join(siglipDir, "onnx", "vision_model.onnx"), filepath.Join(clipDir, "onnx", "text_model.onnx")},
		{"clip image, siglip text", clipDir, filepath.Join(clipDir, "onnx", "vision_model.onnx"), filepath.Join(siglipDir, "onnx", "text_model.onnx")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := zsic.LoadModel(tc.dir, zsic.Towers{zsic.ImageEncoder: tc.image, zsic.TextEncoder: tc.text}, "")
			require.NoError(t, err)
			c, err := zsic.Open(newRuntime(t), m, zsic.Options{Threads: 1})
			if err == nil {
				c.Close()
			}
			require.ErrorContains(t, err, "the towers disagree: the image encoder "+tc.image)
			require.ErrorContains(t, err, "the text encoder "+tc.text)
		})
	}
}

// A tower ONNX Runtime cannot load fails Open, naming that tower's file,
// whichever of the two (which load side by side) it is; when both are bad,
// the image tower's error is the one reported.
func TestOpenBadTower(t *testing.T) {
	src := filepath.Join(testenv.Root(t), "fixtures", "models", "tiny-clip")
	good := zsic.Towers{zsic.ImageEncoder: filepath.Join(src, "onnx", "vision_model.onnx"), zsic.TextEncoder: filepath.Join(src, "onnx", "text_model.onnx")}
	bad := filepath.Join(t.TempDir(), "bad.onnx")
	require.NoError(t, os.WriteFile(bad, []byte("not an ONNX model"), 0o644))
	for _, tc := range []struct {
		name, image, text, want string
	}{
		{"image", bad, good[zsic.TextEncoder], "load image encoder " + bad},
		{"text", good[zsic.ImageEncoder], bad, "load text encoder " + bad},
		{"both", bad, bad, "load image encoder " + bad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := zsic.LoadModel(src, zsic.Towers{zsic.ImageEncoder: tc.image, zsic.TextEncoder: tc.text}, "")
			require.NoError(t, err)
			c, err := zsic.Open(newRuntime(t), m, zsic.Options{Threads: 1})
			if err == nil {
				c.Close()
			}
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// CloseText releases the text tower alone: label embeddings made before
// still classify, the text tower's later runs fail naming it, its stats
// stay, and Close afterwards closes the rest.
func TestCloseText(t *testing.T) {
	m, err := zsic.LoadModel(filepath.Join(testenv.Root(t), "fixtures", "models", "tiny-clip"), nil, "")
	require.NoError(t, err)
	c, err := zsic.Open(newRuntime(t), m, zsic.Options{Threads: 1})
	require.NoError(t, err)
	labels, err := c.EncodeLabels([]string{"cat", "dog"}, "", 0)
	require.NoError(t, err)
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	want, err := c.Classify(context.Background(), []image.Image{img}, labels)
	require.NoError(t, err)

	require.NoError(t, c.CloseText())
	got, err := c.Classify(context.Background(), []image.Image{img}, labels)
	require.NoError(t, err)
	require.Equal(t, want, got)
	_, err = c.EncodeLabels([]string{"cat"}, "", 0)
	require.ErrorContains(t, err, "run text encoder "+m.Towers[zsic.TextEncoder]+": the session is closed")
	_, text := c.TowerStats()
	require.Equal(t, 2, text.FirstItems, "the one run, of two prompts")
	require.Positive(t, text.Open)
	require.NoError(t, c.CloseText(), "twice")
	require.NoError(t, c.Close())
}

func TestLogitScaleBounds(t *testing.T) {
	src := filepath.Join(testenv.Root(t), "fixtures", "models", "tiny-clip")
	for _, tc := range []struct{ cfg, want string }{
		{`{"model_type": "clip", "logit_scale": 1000}`, "logit_scale 1000: want the natural log of the multiplier"},
		{`{"model_type": "clip", "logit_scale": -1e308}`, "logit_scale -1e+308"},
		{`{"model_type": "siglip", "logit_scale": 2, "logit_bias": 1e300}`, "logit_bias 1e+300"},
	} {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(tc.cfg), 0o644))
		_, err := zsic.LoadModel(dir, zsic.Towers{zsic.ImageEncoder: filepath.Join(src, "onnx", "vision_model.onnx"), zsic.TextEncoder: filepath.Join(src, "onnx", "text_model.onnx")}, "")
		require.ErrorContains(t, err, tc.want)
		require.ErrorContains(t, err, filepath.Join(dir, "config.json"))
	}
}

// labelRow is a parquet row with any label, or none.
type labelRow struct {
	Img   []byte `parquet:"img"`
	Label *int64 `parquet:"fine_label,optional"`
}

func TestEvaluateHostile(t *testing.T) {
	c := openTinyCLIP(t)
	cifar, err := dataset.Open(testenv.CIFAR100(t), dataset.DefaultColumns())
	require.NoError(t, err)
	defer cifar.Close()
	var png []byte
	require.NoError(t, cifar.Read([]int{0}, func(s dataset.Sample) error { png = s.Image; return nil }))
	classes := cifar.Classes()
	ctx := context.Background()

	_, err = c.Evaluate(ctx, cifar, nil, zsic.EvalOptions{Classes: classes})
	require.ErrorContains(t, err, "no rows to evaluate")

	_, err = c.Evaluate(ctx, cifar, []int{0}, zsic.EvalOptions{Classes: classes, Template: "a photo"})
	require.ErrorContains(t, err, `prompt template "a photo" has no {} for the label`)

	_, err = c.Evaluate(ctx, cifar, []int{0}, zsic.EvalOptions{Classes: classes, BatchSize: zsic.MaxBatchSize + 1})
	require.ErrorContains(t, err, "want at most 65536")

	// A batch size far above the rows there are allocates for the rows.
	res, err := c.Evaluate(ctx, cifar, []int{0, 1, 2}, zsic.EvalOptions{Classes: classes, BatchSize: zsic.MaxBatchSize})
	require.NoError(t, err)
	require.Equal(t, 3, res.Samples)

	label := func(v int64) *int64 { return &v }
	path := filepath.Join(t.TempDir(), "labels.parquet")
	require.NoError(t, parquet.WriteFile(path, []labelRow{
		{Img: png, Label: label(1)}, {Img: png, Label: nil}, {Img: png, Label: label(-3)}, {Img: png, Label: label(math.MinInt64)},
	}))
	src, err := dataset.Open(path, dataset.DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	for row, want := range map[int]string{
		1: "row 1 has no label (null or -1)",
		2: "row 2: label -3 is not a class id (the dataset has 100 classes, 0 to 99)",
		3: "row 3: label -9223372036854775808 is not a class id",
	} {
		_, err := c.Evaluate(ctx, src, []int{0, row}, zsic.EvalOptions{Classes: classes})
		require.ErrorContains(t, err, want)
	}

	// A missing image file is counted like an undecodable one, unless
	// Strict.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.png"), png, 0o644))
	list := filepath.Join(dir, "l.csv")
	require.NoError(t, os.WriteFile(list, []byte("path,label\na.png,apple\ngone.png,apple\n"), 0o644))
	files, err := dataset.Open(list, dataset.DefaultColumns())
	require.NoError(t, err)
	defer files.Close()
	res, err = c.Evaluate(ctx, files, []int{0, 1}, zsic.EvalOptions{Classes: []string{"apple"}})
	require.NoError(t, err)
	require.Equal(t, 1, res.Samples)
	require.Len(t, res.Failures, 1)
	require.Equal(t, 1, res.Failures[0].Row)
	require.Contains(t, res.Failures[0].Err, "gone.png: no such file or directory")
	_, err = c.Evaluate(ctx, files, []int{0, 1}, zsic.EvalOptions{Classes: []string{"apple"}, Strict: true})
	require.ErrorContains(t, err, "row 1 ("+filepath.Join(dir, "gone.png")+")")
}
