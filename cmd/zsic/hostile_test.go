//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic/dataset"
)

// The tests in this file drive the built zsic binary, as a user would: exit
// code, messages, no panic trace, and the files on disk before and after.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// zsicBin builds the command once per test run and returns its path.
func zsicBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "zsic-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "zsic")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

// result is how a run of the binary ended.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// runBin runs the binary with args and extra environment variables, and
// checks that it ended within two minutes without a panic trace.
func runBin(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, zsicBin(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		require.NoError(t, err)
	}
	require.NoError(t, ctx.Err(), "zsic %s hung", strings.Join(args, " "))
	noPanic(t, r.stderr)
	return r
}

// noPanic fails on a Go panic trace in stderr.
func noPanic(t *testing.T, stderr string) {
	t.Helper()
	require.NotContains(t, stderr, "panic:")
	require.NotContains(t, stderr, "goroutine ")
}

// requireFails checks a run that failed with code and a message holding
// every want.
func requireFails(t *testing.T, r result, code int, want ...string) {
	t.Helper()
	require.Equal(t, code, r.code, "stderr: %s", r.stderr)
	for _, w := range want {
		require.Contains(t, r.stderr, w)
	}
}

// snapshot records the files under dir: path to content and mode.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		content := ""
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			content = string(data)
		} else if info.Mode()&fs.ModeSymlink != 0 {
			content, _ = os.Readlink(p)
		}
		out[p] = info.Mode().String() + " " + content
		return nil
	}))
	return out
}

// cifarRow is a row of the CIFAR-100 layout, with any label.
type cifarRow struct {
	Img struct {
		Bytes []byte  `parquet:"bytes"`
		Path  *string `parquet:"path,optional"`
	} `parquet:"img"`
	FineLabel *int64 `parquet:"fine_label,optional"`
}

// cifarImages returns the encoded images and labels of CIFAR-100's first n
// test rows.
func cifarImages(t *testing.T, n int) ([][]byte, []int) {
	t.Helper()
	src, err := dataset.Open(testenv.CIFAR100(t), dataset.DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	var imgs [][]byte
	var labels []int
	rows, err := dataset.Select(src.Len(), n, false, 0)
	require.NoError(t, err)
	require.NoError(t, src.Read(rows, func(s dataset.Sample) error {
		imgs = append(imgs, s.Image)
		labels = append(labels, s.Label)
		return nil
	}))
	return imgs, labels
}

// writeCIFAR writes rows in the CIFAR-100 layout (with its class names),
// perRG rows a row group, to path.
func writeCIFAR(t *testing.T, path string, rows []cifarRow, perRG int) {
	t.Helper()
	src, err := dataset.Open(testenv.CIFAR100(t), dataset.DefaultColumns())
	require.NoError(t, err)
	classes := src.Classes()
	src.Close()
	names := `["` + strings.Join(classes, `","`) + `"]`
	meta := `{"info": {"features": {"img": {"_type": "Image"}, "fine_label": {"_type": "ClassLabel", "names": ` + names + `}}}}`
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	w := parquet.NewGenericWriter[cifarRow](f, parquet.MaxRowsPerRowGroup(int64(perRG)), parquet.KeyValueMetadata("huggingface", meta))
	_, err = w.Write(rows)
	require.NoError(t, err)
	require.NoError(t, w.Close())
}

// smallCIFAR writes CIFAR-100's first n test rows to a parquet file in dir.
func smallCIFAR(t *testing.T, dir string, n, perRG int) string {
	t.Helper()
	imgs, labels := cifarImages(t, n)
	rows := make([]cifarRow, n)
	for i := range rows {
		l := int64(labels[i])
		rows[i].Img.Bytes, rows[i].FineLabel = imgs[i], &l
	}
	path := filepath.Join(dir, "small.parquet")
	writeCIFAR(t, path, rows, perRG)
	return path
}

// copyModel copies the tiny-clip fixture into a fresh folder, to edit.
func copyModel(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join(testenv.Root(t), "fixtures", "models", name)
	dst := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.CopyFS(dst, os.DirFS(src)))
	return dst
}

func TestHostilePanics(t *testing.T) {
	dir := t.TempDir()
	data := smallCIFAR(t, dir, 12, 4)
	models := filepath.Join(testenv.Root(t), "fixtures", "models")
	clipImage := filepath.Join(models, "tiny-clip", "onnx", "vision_model.onnx")
	siglipImage := filepath.Join(models, "tiny-siglip", "onnx", "vision_model.onnx")
	clipText := filepath.Join(models, "tiny-clip", "onnx", "text_model.onnx")
	siglipText := filepath.Join(models, "tiny-siglip", "onnx", "text_model.onnx")

	t.Run("tower widths differ", func(t *testing.T) {
		for _, pair := range [][2]string{{siglipImage, clipText}, {clipImage, siglipText}} {
			r := runBin(t, nil, "eval", "--model-id", filepath.Join(models, "tiny-clip"), "-m", "image-encoder="+pair[0], "-m", "text-encoder="+pair[1], "--dataset", data, "--quiet")
			requireFails(t, r, 1, "the towers disagree", pair[0], pair[1])
		}
	})

	t.Run("zero rows", func(t *testing.T) {
		empty := filepath.Join(dir, "empty.parquet")
		writeCIFAR(t, empty, nil, 4)
		r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", empty, "--quiet")
		requireFails(t, r, 1, "no rows to evaluate")
	})

	t.Run("corrupt page", func(t *testing.T) {
		good, err := os.ReadFile(data)
		require.NoError(t, err)
		pf, err := parquet.OpenFile(bytes.NewReader(good), int64(len(good)))
		require.NoError(t, err)
		bad := append([]byte(nil), good...)
		off := pf.Metadata().RowGroups[1].Columns[0].MetaData.DataPageOffset
		for i := off; i < off+6; i++ {
			bad[i] = 0xff
		}
		require.Equal(t, binary.LittleEndian.Uint32(good[len(good)-8:]), binary.LittleEndian.Uint32(bad[len(bad)-8:]), "footer intact")
		path := filepath.Join(dir, "corrupt.parquet")
		require.NoError(t, os.WriteFile(path, bad, 0o644))
		r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", path, "--quiet")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "(8 samples")
		require.Contains(t, r.stderr, "warning: 4 image(s)")
		require.Contains(t, r.stderr, path+" row group 1 column img.bytes")
		r = runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", path, "--quiet", "--strict")
		requireFails(t, r, 1, "row 4: read "+path+" row group 1 column img.bytes")
	})
}

func TestHostileSizes(t *testing.T) {
	dir := t.TempDir()
	data := smallCIFAR(t, dir, 10, 10)
	t.Run("batch size far above the rows", func(t *testing.T) {
		r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", data, "--quiet", "--batch-size", "60000")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "(10 samples")
	})
	for _, v := range []string{"1099511627776", "0", "-5"} {
		t.Run("batch size "+v, func(t *testing.T) {
			r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", data, "--quiet", "--batch-size", v)
			requireFails(t, r, 2, "--batch-size "+v)
		})
	}
	for _, tc := range []struct{ cfg, want string }{
		{`{"size": {"shortest_edge": 100000}, "crop_size": 32}`, "size shortest_edge 100000: want at most 4096"},
		{`{"size": 9223372036854775807, "crop_size": 32}`, "want at most 4096"},
		{`{"do_resize": false, "crop_size": 40000}`, "crop_size height 40000: want at most 4096"},
	} {
		t.Run(tc.cfg, func(t *testing.T) {
			model := copyModel(t, "tiny-clip")
			require.NoError(t, os.WriteFile(filepath.Join(model, "preprocessor_config.json"), []byte(tc.cfg), 0o644))
			r := runBin(t, nil, "eval", "-m", model, "--dataset", data, "--quiet")
			requireFails(t, r, 1, filepath.Join(model, "preprocessor_config.json"), tc.want)
		})
	}
}

func TestHostileFiles(t *testing.T) {
	dir := t.TempDir()
	data := smallCIFAR(t, dir, 6, 6)
	eval := func(extra ...string) result {
		return runBin(t, nil, append([]string{"eval", "-m", tinyCLIP(t), "--dataset", data, "--quiet"}, extra...)...)
	}

	t.Run("output is the dataset", func(t *testing.T) {
		before := snapshot(t, dir)
		r := eval("--output", data)
		requireFails(t, r, 2, "--output "+data+" is the same file as --dataset "+data)
		require.Equal(t, before, snapshot(t, dir))
	})
	t.Run("output is the predictions", func(t *testing.T) {
		out := filepath.Join(dir, "r.json")
		r := eval("--output", out, "--predictions", out)
		requireFails(t, r, 2, "is the same file as --output")
		require.NoFileExists(t, out)
	})
	t.Run("missing output folder, found before the run", func(t *testing.T) {
		r := eval("--output", filepath.Join(dir, "typo", "r.json"))
		requireFails(t, r, 2, "--output "+filepath.Join(dir, "typo", "r.json"), "its folder")
		require.NotContains(t, r.stdout, "top-1", "no evaluation ran")
	})
	t.Run("symlink written through, mode kept", func(t *testing.T) {
		real := filepath.Join(dir, "real.json")
		require.NoError(t, os.WriteFile(real, []byte("old"), 0o640))
		require.NoError(t, os.Chmod(real, 0o640))
		link := filepath.Join(dir, "link.json")
		require.NoError(t, os.Symlink("real.json", link))
		r := eval("--output", link)
		require.Equal(t, 0, r.code, r.stderr)
		li, err := os.Lstat(link)
		require.NoError(t, err)
		require.NotZero(t, li.Mode()&os.ModeSymlink)
		st, err := os.Stat(real)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o640), st.Mode().Perm())
		report, err := os.ReadFile(real)
		require.NoError(t, err)
		require.Contains(t, string(report), `"top1_accuracy"`)
	})
	t.Run("/dev/null written to, not replaced", func(t *testing.T) {
		before, err := os.Stat(os.DevNull)
		require.NoError(t, err)
		r := eval("--output", os.DevNull, "--predictions", os.DevNull)
		require.Equal(t, 0, r.code, r.stderr)
		after, err := os.Stat(os.DevNull)
		require.NoError(t, err)
		require.True(t, os.SameFile(before, after))
		require.NotZero(t, after.Mode()&os.ModeCharDevice)
	})
	t.Run("FIFO written through", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "pipe")
		require.NoError(t, syscall.Mkfifo(fifo, 0o600))
		got := make(chan []byte)
		go func() {
			data, _ := os.ReadFile(fifo)
			got <- data
		}()
		r := eval("--output", fifo)
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, string(<-got), `"top1_accuracy"`)
	})
	t.Run("FIFO predictions: no partial file beside it", func(t *testing.T) {
		folder := t.TempDir()
		fifo := filepath.Join(folder, "preds")
		require.NoError(t, syscall.Mkfifo(fifo, 0o600))
		type read struct {
			names []string // the folder while the run writes the FIFO
			data  []byte
		}
		got := make(chan read)
		go func() {
			f, err := os.Open(fifo) // returns once zsic opens it to write
			if err != nil {
				got <- read{}
				return
			}
			defer f.Close()
			var r read
			entries, _ := os.ReadDir(folder)
			for _, e := range entries {
				r.names = append(r.names, e.Name())
			}
			r.data, _ = io.ReadAll(f)
			got <- r
		}()
		r := eval("--predictions", fifo)
		require.Equal(t, 0, r.code, r.stderr)
		g := <-got
		require.Equal(t, []string{"preds"}, g.names, "a partial file is kept beside a regular file only")
		require.Contains(t, string(g.data), `"top5"`)
	})
	t.Run("--resume into a device is a usage error", func(t *testing.T) {
		r := eval("--predictions", os.DevNull, "--resume")
		requireFails(t, r, 2, "--resume: --predictions "+os.DevNull+" is a device or FIFO, which keeps no partial predictions to resume from")
	})
	t.Run("a failing run leaves neither half", func(t *testing.T) {
		out, preds := filepath.Join(dir, "old.json"), filepath.Join(dir, "old.jsonl")
		require.NoError(t, os.WriteFile(out, []byte("old report"), 0o644))
		require.NoError(t, os.WriteFile(preds, []byte("old predictions"), 0o644))
		model := copyModel(t, "tiny-clip")
		require.NoError(t, os.WriteFile(filepath.Join(model, "config.json"), []byte(`{"model_type": "clip", "logit_scale": 1000}`), 0o644))
		r := runBin(t, nil, "eval", "-m", model, "--dataset", data, "--quiet", "--output", out, "--predictions", preds)
		requireFails(t, r, 1, "logit_scale 1000")
		for p, want := range map[string]string{out: "old report", preds: "old predictions"} {
			got, err := os.ReadFile(p)
			require.NoError(t, err)
			require.Equal(t, want, string(got))
		}
	})
}

func TestHostileHangs(t *testing.T) {
	dir := t.TempDir()
	data := smallCIFAR(t, dir, 6, 6)

	for _, sig := range []struct {
		name string
		sig  syscall.Signal
		code int
	}{{"SIGINT", syscall.SIGINT, 130}, {"SIGTERM", syscall.SIGTERM, 143}} {
		t.Run(sig.name+" while the reader is blocked", func(t *testing.T) {
			// A FIFO that nobody writes blocks the dataset reader forever.
			fifo := filepath.Join(t.TempDir(), "data.parquet")
			require.NoError(t, syscall.Mkfifo(fifo, 0o600))
			out := filepath.Join(t.TempDir(), "r.json")
			cmd := exec.Command(zsicBin(t), "eval", "-m", tinyCLIP(t), "--dataset", fifo, "--quiet", "--output", out, "--predictions", out+"l")
			var errb bytes.Buffer
			cmd.Stderr = &errb
			require.NoError(t, cmd.Start())
			time.Sleep(time.Second)
			require.NoError(t, cmd.Process.Signal(sig.sig))
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("zsic eval did not end within 10 s of %s", sig.name)
			}
			require.Equal(t, sig.code, cmd.ProcessState.ExitCode(), errb.String())
			require.Contains(t, errb.String(), "interrupted")
			require.NotContains(t, errb.String(), "context canceled")
			noPanic(t, errb.String())
			entries, err := os.ReadDir(filepath.Dir(out))
			require.NoError(t, err)
			require.Empty(t, entries, "no partial output")
		})
	}

	for _, tc := range []struct {
		flag, value string
	}{{"--threads", "5000"}, {"--threads", "-1"}, {"--samples", "-3"}} {
		t.Run(tc.flag+" "+tc.value, func(t *testing.T) {
			r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", data, "--quiet", tc.flag, tc.value)
			requireFails(t, r, 2, tc.flag+" "+tc.value)
		})
	}

	t.Run("stalled Hub", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}))
		defer srv.Close()
		env := []string{"HF_ENDPOINT=" + srv.URL, "HF_HOME=" + t.TempDir(), "HF_HUB_CACHE=", "HF_HUB_OFFLINE=", "HF_TOKEN=", "HF_HUB_DOWNLOAD_TIMEOUT=0.3"}
		r := runBin(t, env, "fetch", "--model-id", "acme/stalls")
		requireFails(t, r, 1, "sent nothing for 300ms", "gave up after")
		require.Less(t, r.took, 90*time.Second)
	})

	t.Run("token with CR/LF", func(t *testing.T) {
		env := []string{"HF_ENDPOINT=http://127.0.0.1:9", "HF_HOME=" + t.TempDir(), "HF_HUB_CACHE=", "HF_HUB_OFFLINE=", "HF_TOKEN=hf_SECRET\r\nX-Evil: 1"}
		r := runBin(t, env, "fetch", "--model-id", "acme/model")
		requireFails(t, r, 1, "has a control or non-ASCII character")
		require.NotContains(t, r.stderr, "hf_SECRET")
		require.NotContains(t, r.stderr, "cannot reach")
		require.Less(t, r.took, 10*time.Second)
	})
}

func TestHostileWrongResults(t *testing.T) {
	dir := t.TempDir()
	data := smallCIFAR(t, dir, 6, 6)
	t.Run("template without {}", func(t *testing.T) {
		r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", data, "--quiet", "--template", "a photo")
		requireFails(t, r, 1, `--template "a photo": no {}`)
	})
	t.Run("empty merges.txt", func(t *testing.T) {
		model := copyModel(t, "tiny-clip")
		require.NoError(t, os.WriteFile(filepath.Join(model, "merges.txt"), []byte("#version: 0.2\n"), 0o644))
		r := runBin(t, nil, "eval", "-m", model, "--dataset", data, "--quiet")
		requireFails(t, r, 1, filepath.Join(model, "merges.txt"), "no merges")
	})
	t.Run("random merges.txt not echoed", func(t *testing.T) {
		model := copyModel(t, "tiny-clip")
		junk := "\x1b[2J" + strings.Repeat("secret ", 200)
		require.NoError(t, os.WriteFile(filepath.Join(model, "merges.txt"), []byte(junk), 0o644))
		r := runBin(t, nil, "eval", "-m", model, "--dataset", data, "--quiet")
		requireFails(t, r, 1, "merges.txt:1")
		require.NotContains(t, r.stderr, "\x1b")
		require.Less(t, strings.Count(r.stderr, "secret"), 10)
	})
	t.Run("rescale_factor gives Inf", func(t *testing.T) {
		model := copyModel(t, "tiny-clip")
		require.NoError(t, os.WriteFile(filepath.Join(model, "preprocessor_config.json"), []byte(`{"size": 32, "crop_size": 32, "rescale_factor": 1e300}`), 0o644))
		r := runBin(t, nil, "eval", "-m", model, "--dataset", data, "--quiet")
		requireFails(t, r, 1, "rescale_factor 1e+300", "+Inf")
	})
	t.Run("symlinked and empty class folders", func(t *testing.T) {
		imgs, _ := cifarImages(t, 2)
		root := t.TempDir()
		elsewhere := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(root, "apple"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, "apple", "a.png"), imgs[0], 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(elsewhere, "b.png"), imgs[1], 0o644))
		require.NoError(t, os.Symlink(elsewhere, filepath.Join(root, "bear")))
		r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", root, "--quiet")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "(2 samples", "the symlinked class counts")
		require.NoError(t, os.Mkdir(filepath.Join(root, "cat"), 0o755))
		r = runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", root, "--quiet")
		requireFails(t, r, 1, "class folder cat holds no images")
	})
	t.Run("--split for a local file", func(t *testing.T) {
		r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", data, "--quiet", "--split", "train")
		requireFails(t, r, 2, "--split train", "Hub dataset")
	})
}

func TestHostileMessages(t *testing.T) {
	dir := t.TempDir()
	imgs, _ := cifarImages(t, 2)
	label := func(v int64) *int64 { return &v }
	for _, tc := range []struct {
		name  string
		label *int64
		want  string
	}{
		{"null label", nil, "row 1 has no label (null or -1)"},
		{"label -3", label(-3), "row 1: label -3 is not a class id"},
		{"label MinInt64", label(math.MinInt64), "row 1: label -9223372036854775808 is not a class id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := make([]cifarRow, 2)
			rows[0].Img.Bytes, rows[0].FineLabel = imgs[0], label(3)
			rows[1].Img.Bytes, rows[1].FineLabel = imgs[1], tc.label
			path := filepath.Join(t.TempDir(), "labels.parquet")
			writeCIFAR(t, path, rows, 2)
			r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", path, "--quiet")
			requireFails(t, r, 1, tc.want)
		})
	}

	t.Run("--strict names a parquet row without an empty ()", func(t *testing.T) {
		rows := make([]cifarRow, 2)
		rows[0].Img.Bytes, rows[0].FineLabel = imgs[0], label(3)
		rows[1].Img.Bytes, rows[1].FineLabel = []byte("not an image"), label(3)
		path := filepath.Join(t.TempDir(), "broken.parquet")
		writeCIFAR(t, path, rows, 2)
		r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", path, "--quiet", "--strict")
		requireFails(t, r, 1, "row 1: decode image (12 bytes): unknown format")
		require.NotContains(t, r.stderr, "()")
	})

	t.Run("missing list image counted, not fatal", func(t *testing.T) {
		list := filepath.Join(dir, "list.csv")
		require.NoError(t, os.WriteFile(filepath.Join(dir, "a.png"), imgs[0], 0o644))
		require.NoError(t, os.WriteFile(list, []byte("path,label\na.png,apple\ngone.png,apple\n"), 0o644))
		r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", list, "--quiet")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "(1 samples")
		require.Contains(t, r.stderr, "warning: 1 image(s)")
		require.Contains(t, r.stderr, "gone.png")
	})

	t.Run("list paths confined to the list's folder", func(t *testing.T) {
		secret := filepath.Join(t.TempDir(), "secret.txt")
		require.NoError(t, os.WriteFile(secret, []byte("password=hunter2"), 0o600))
		list := filepath.Join(dir, "escape.csv")
		require.NoError(t, os.WriteFile(list, []byte("path,label\na.png,apple\n"+secret+",apple\n"), 0o644))
		out := filepath.Join(t.TempDir(), "r.json")
		r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", list, "--quiet", "--output", out)
		requireFails(t, r, 1, "leads outside the list's folder", "--allow-outside-paths")
		r = runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", list, "--quiet", "--output", out, "--allow-outside-paths")
		require.Equal(t, 0, r.code, r.stderr)
		report, err := os.ReadFile(out)
		require.NoError(t, err)
		require.NotContains(t, string(report)+r.stderr, "hunter2", "no file bytes in the report or the messages")
		require.NotContains(t, string(report)+r.stderr, "70 61 73 73", "no file bytes in hex either")
	})

	t.Run("duplicate manifest rows", func(t *testing.T) {
		data := smallCIFAR(t, t.TempDir(), 4, 4)
		src, err := dataset.Open(data, dataset.DefaultColumns())
		require.NoError(t, err)
		m, err := dataset.NewManifest(src, []int{1}, "d", "test", 0)
		src.Close()
		require.NoError(t, err)
		m.Rows = append(m.Rows, m.Rows[0])
		var b bytes.Buffer
		require.NoError(t, m.Encode(&b))
		path := filepath.Join(t.TempDir(), "m.json")
		require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
		r := runBin(t, nil, "eval", "-m", tinyCLIP(t), "--dataset", data, "--quiet", "--manifest", path)
		requireFails(t, r, 1, "manifest rows are duplicates", "repeats rows[0]")
		require.NotContains(t, r.stderr, "not in the dataset")
	})

	t.Run("Hub error text sanitized", func(t *testing.T) {
		const token = "hf_SECRETTOKEN"
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Error-Message", "no access for "+r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusForbidden)
		}))
		defer srv.Close()
		env := []string{"HF_ENDPOINT=" + srv.URL, "HF_HOME=" + t.TempDir(), "HF_HUB_CACHE=", "HF_HUB_OFFLINE=", "HF_TOKEN=" + token}
		r := runBin(t, env, "fetch", "--model-id", "acme/model")
		requireFails(t, r, 1, "HTTP 403", "Bearer <redacted>")
		require.NotContains(t, r.stderr, token)
	})
}

func TestHostileFetchTo(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "keep.parquet")
	require.NoError(t, os.WriteFile(existing, []byte("my own file"), 0o644))
	folder := filepath.Join(dir, "keepdir")
	require.NoError(t, os.MkdirAll(filepath.Join(folder, "sub"), 0o755))
	for _, to := range []string{existing, folder} {
		before := snapshot(t, dir)
		r := runBin(t, []string{"HF_HUB_OFFLINE=1", "HF_HOME=" + t.TempDir(), "HF_HUB_CACHE="}, "fetch", "--dataset", "acme/cifar", "--split", "test", "--to", to)
		requireFails(t, r, 2, "--to "+to, "exists")
		require.Equal(t, before, snapshot(t, dir), "nothing the user did not name is touched")
	}
}
