package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic/hub/hubtest"
	runreport "github.com/zsic/zsic/zsic/report"
)

// readTree returns every file under dir by its slash-separated path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	}))
	return files
}

// TestEvalFromHub evaluates a model and a dataset named by Hub ids against a
// fake Hub, then again offline from the cache with the Hub stopped.
func TestEvalFromHub(t *testing.T) {
	model := readTree(t, tinyCLIP(t))
	model["README.md"] = []byte("# not needed by zsic\n")
	model["model.safetensors"] = []byte("weights zsic must not download")
	parquet, err := os.ReadFile(testenv.CIFAR100(t))
	require.NoError(t, err)
	srv := hubtest.NewServer(t, map[string]map[string][]byte{
		"acme/tiny-clip":           model,
		"datasets/acme/cifar-mini": {"data/test-00000-of-00001.parquet": parquet, "README.md": []byte("# data\n")},
	})
	home := t.TempDir()
	t.Setenv("HF_ENDPOINT", srv.URL)
	t.Setenv("HF_HOME", home)
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("HF_TOKEN", "")

	args := []string{"eval", "--model-id", "acme/tiny-clip", "--dataset", "acme/cifar-mini", "--split", "test", "--samples", "40", "--quiet"}
	code, online, stderr := runCLI(t, append(args, "--output", filepath.Join(home, "online.json"))...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, online, "(40 samples")
	for _, r := range srv.Requests() {
		require.NotContains(t, r.Path, "model.safetensors", "zsic fetched a file it does not read")
	}
	snap := filepath.Join(home, "hub", "models--acme--tiny-clip", "snapshots", srv.Commit("acme/tiny-clip"))
	require.FileExists(t, filepath.Join(snap, "onnx", "vision_model.onnx"))
	require.NoFileExists(t, filepath.Join(snap, "onnx", "vision_model_quantized.onnx"))

	// fetch, as `make setup` uses it, links a single-shard split where asked.
	to := filepath.Join(home, "data", "test.parquet")
	code, stdout, stderr := runCLI(t, "fetch", "--dataset", "acme/cifar-mini", "--split", "test", "--to", to)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "test-00000-of-00001.parquet")
	linked, err := os.ReadFile(to)
	require.NoError(t, err)
	require.Equal(t, parquet, linked)
	code, stdout, stderr = runCLI(t, "fetch", "--model-id", "acme/tiny-clip")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, snap+"\n", stdout)
	code, _, stderr = runCLI(t, "fetch")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "give exactly one of --model-id or --dataset")

	srv.Close()
	t.Setenv("HF_HUB_OFFLINE", "1")
	code, offline, stderr := runCLI(t, append(args, "--output", filepath.Join(home, "offline.json"))...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, offline, "(40 samples")

	var a, b runreport.Report
	require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(home, "online.json"))), &a))
	require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(home, "offline.json"))), &b))
	require.Equal(t, a.Metrics, b.Metrics)
	require.Equal(t, "acme/tiny-clip", b.ModelID)

	// Offline, what is not cached is named.
	code, _, stderr = runCLI(t, "eval", "--model-id", "acme/other", "--dataset", "acme/cifar-mini", "--quiet")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "acme/other")
}

// TestDatasetRevision evaluates a Hub dataset that exists only at a branch:
// --dataset-revision reaches the Hub, and fetch keeps --revision for models.
func TestDatasetRevision(t *testing.T) {
	parquet, err := os.ReadFile(testenv.CIFAR100(t))
	require.NoError(t, err)
	srv := hubtest.NewServer(t, map[string]map[string][]byte{
		"datasets/acme/cifar-v2@v2": {"data/test-00000-of-00001.parquet": parquet},
	})
	t.Setenv("HF_ENDPOINT", srv.URL)
	t.Setenv("HF_HOME", t.TempDir())
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("HF_TOKEN", "")

	args := []string{"eval", "-m", tinyCLIP(t), "--dataset", "acme/cifar-v2", "--samples", "8", "--quiet"}
	code, _, stderr := runCLI(t, args...)
	require.Equal(t, 1, code, "the dataset has no main branch")
	require.Contains(t, stderr, "acme/cifar-v2")
	code, stdout, stderr := runCLI(t, append(args, "--dataset-revision", "v2")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "(8 samples")

	code, _, stderr = runCLI(t, "fetch", "--dataset", "acme/cifar-v2", "--revision", "v2")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "for --dataset give --dataset-revision")
	code, stdout, stderr = runCLI(t, "fetch", "--dataset", "acme/cifar-v2", "--dataset-revision", "v2")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "test-00000-of-00001.parquet")
}
