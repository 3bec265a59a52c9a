package hub

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic/hub/hubtest"
)

// cutHalfway answers a GET of an LFS object without a Range header with the
// first half of content, then drops the connection.
func cutHalfway(content []byte, cuts *atomic.Int32) hubtest.Option {
	oid := hubtest.SHA256(content)
	return hubtest.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/lfs/"+oid || r.Header.Get("Range") != "" || cuts.Load() == 0 {
			return false
		}
		cuts.Add(-1)
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(content[:len(content)/2])
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler) // ends the connection mid-body
	})
}

func TestResumeAfterCutWithinOneCall(t *testing.T) {
	files := modelFiles()
	vision := files["onnx/vision_model.onnx"]
	var cuts atomic.Int32
	cuts.Store(1)
	s := hubtest.NewServer(t, map[string]map[string][]byte{"org/clip": files}, cutHalfway(vision, &cuts))
	c := newClient(t, s)
	snap, err := c.Snapshot(context.Background(), RepoModel, "org/clip", "main", notReadme)
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(snap, "onnx", "vision_model.onnx"))
	require.NoError(t, err)
	require.Equal(t, vision, got)
	requireResumed(t, s, vision)
}

func TestResumeAfterCutInAnEarlierRun(t *testing.T) {
	files := modelFiles()
	vision := files["onnx/vision_model.onnx"]
	var cuts atomic.Int32
	cuts.Store(1)
	s := hubtest.NewServer(t, map[string]map[string][]byte{"org/clip": files}, cutHalfway(vision, &cuts))
	c := newClient(t, s)
	c.Retries = 0
	_, err := c.Snapshot(context.Background(), RepoModel, "org/clip", "main", notReadme)
	require.ErrorContains(t, err, "download onnx/vision_model.onnx")
	require.ErrorContains(t, err, "gave up after 1 attempts")
	inc := filepath.Join(c.CacheDir, "models--org--clip", "blobs", hubtest.SHA256(vision)+".incomplete")
	partial, err := os.ReadFile(inc)
	require.NoError(t, err, "the partial download is kept for the next run")
	require.Equal(t, vision[:len(vision)/2], partial)

	snap, err := c.Snapshot(context.Background(), RepoModel, "org/clip", "main", notReadme)
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(snap, "onnx", "vision_model.onnx"))
	require.NoError(t, err)
	require.Equal(t, vision, got)
	require.NoFileExists(t, inc)
	requireResumed(t, s, vision)
}

// requireResumed checks that content was fetched twice from the CDN, the
// second time from the middle on.
func requireResumed(t *testing.T, s *hubtest.Server, content []byte) {
	t.Helper()
	var ranges []string
	for _, r := range s.Requests() {
		if r.Server == "cdn" && r.Path == "/lfs/"+hubtest.SHA256(content) {
			ranges = append(ranges, r.Range)
		}
	}
	require.Equal(t, []string{"", fmt.Sprintf("bytes=%d-", len(content)/2)}, ranges)
}

func TestResumeIgnoredByServerRestarts(t *testing.T) {
	files := modelFiles()
	vision := files["onnx/vision_model.onnx"]
	oid := hubtest.SHA256(vision)
	var cuts atomic.Int32
	cuts.Store(1)
	// After the cut, the CDN ignores Range and sends everything again.
	s := hubtest.NewServer(t, map[string]map[string][]byte{"org/clip": files},
		hubtest.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != "/lfs/"+oid {
				return false
			}
			if cuts.Add(-1) == 0 {
				w.Header().Set("Content-Length", strconv.Itoa(len(vision)))
				_, _ = w.Write(vision[:len(vision)/2])
				http.NewResponseController(w).Flush()
				panic(http.ErrAbortHandler)
			}
			_, _ = w.Write(vision)
			return true
		}))
	c := newClient(t, s)
	snap, err := c.Snapshot(context.Background(), RepoModel, "org/clip", "main", notReadme)
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(snap, "onnx", "vision_model.onnx"))
	require.NoError(t, err)
	require.Equal(t, vision, got, "a 200 answer to a Range request replaces the partial file")
}

func TestConcurrentDownloadsShareOneCache(t *testing.T) {
	files := modelFiles()
	vision := files["onnx/vision_model.onnx"]
	s := hubtest.NewServer(t, map[string]map[string][]byte{"org/clip": files},
		hubtest.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path == "/lfs/"+hubtest.SHA256(vision) {
				time.Sleep(300 * time.Millisecond) // keep the first download going while the second starts
			}
			return false
		}))
	cache := t.TempDir()
	const runs = 3
	snaps := make([]string, runs)
	errs := make([]error, runs)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &Client{Endpoint: s.URL, CacheDir: cache, HTTP: &http.Client{}, Backoff: time.Millisecond}
			snaps[i], errs[i] = c.Snapshot(context.Background(), RepoModel, "org/clip", "main", notReadme)
		}()
	}
	wg.Wait()
	for i := range runs {
		require.NoError(t, errs[i])
		require.Equal(t, snaps[0], snaps[i])
	}
	got, err := os.ReadFile(filepath.Join(snaps[0], "onnx", "vision_model.onnx"))
	require.NoError(t, err)
	require.Equal(t, vision, got)
	require.Equal(t, runs, countRequests(s, "hub", "HEAD", "/onnx/vision_model.onnx"), "every run asked")
	require.Equal(t, 1, countRequests(s, "cdn", "GET", hubtest.SHA256(vision)), "one run downloaded, the others waited on the lock")
	require.Empty(t, leftovers(t, cache))
}
