package hub

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic/hub/hubtest"
)

// cutConnection drops the connection without an answer, as a reset would.
func cutConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

// fullDisk is a writer that fails with ENOSPC once limit bytes are written.
type fullDisk struct {
	w     io.Writer
	limit int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) > d.limit {
		n, _ := d.w.Write(p[:d.limit])
		d.limit = 0
		return n, &os.PathError{Op: "write", Path: "blob", Err: syscall.ENOSPC}
	}
	d.limit -= len(p)
	return d.w.Write(p)
}

func TestSnapshotErrors(t *testing.T) {
	files := modelFiles()
	vision := files["onnx/vision_model.onnx"]
	// is reports whether r asks for path p (a suffix) with method m.
	is := func(r *http.Request, m, p string) bool { return r.Method == m && strings.HasSuffix(r.URL.Path, p) }

	tests := []struct {
		name      string
		repo, rev string
		token     string
		// intercept answers requests in place of the fake Hub; n counts the
		// requests so far with this method and path, this one included.
		intercept func(w http.ResponseWriter, r *http.Request, n int) bool
		hook      func(io.Writer) io.Writer
		wantIs    error
		wantErr   []string
		check     func(t *testing.T, s *hubtest.Server, c *Client, err error)
	}{
		{
			name: "gated without token", repo: "org/gated", rev: "main",
			wantIs: ErrAccess, wantErr: []string{"model org/gated at revision main", "HTTP 401", "gated or private", "set HF_TOKEN"},
		},
		{
			name: "gated with a token that has no access", repo: "org/gated", rev: "main", token: "hf_WRONGTOKEN",
			wantIs: ErrAccess, wantErr: []string{"HTTP 403", "token in use", "has no access"},
		},
		{
			name: "unknown repository", repo: "org/nope", rev: "main",
			wantIs: ErrNotFound, wantErr: []string{"model org/nope at revision main", "HTTP 404", "Repository not found"},
		},
		{
			name: "unknown repository, answered 401 as the Hub does without a token", repo: "org/clip", rev: "main",
			intercept: func(w http.ResponseWriter, r *http.Request, _ int) bool {
				w.Header().Set("X-Error-Code", "RepoNotFound")
				w.WriteHeader(http.StatusUnauthorized)
				return true
			},
			wantIs: ErrNotFound, wantErr: []string{"HTTP 401", "check the name", "set HF_TOKEN"},
		},
		{
			name: "unknown revision", repo: "org/clip", rev: "v9",
			wantIs: ErrNotFound, wantErr: []string{"model org/clip at revision v9", "Invalid rev id: v9"},
		},
		{
			name: "file missing on resolve", repo: "org/clip", rev: "main",
			intercept: func(w http.ResponseWriter, r *http.Request, _ int) bool {
				if is(r, "HEAD", "/config.json") {
					w.Header().Set("X-Error-Code", "EntryNotFound")
					w.WriteHeader(http.StatusNotFound)
					return true
				}
				return false
			},
			wantIs: ErrNotFound, wantErr: []string{"HTTP 404"},
			check: func(t *testing.T, s *hubtest.Server, _ *Client, err error) {
				require.ErrorContains(t, err, "download config.json of model org/clip at revision "+s.Commit("org/clip"))
			},
		},
		{
			name: "5xx until retries run out", repo: "org/clip", rev: "main",
			intercept: func(w http.ResponseWriter, r *http.Request, _ int) bool {
				if is(r, "HEAD", "/config.json") {
					w.WriteHeader(http.StatusServiceUnavailable)
					return true
				}
				return false
			},
			wantErr: []string{"download config.json", "HTTP 503", "gave up after 3 attempts"},
			check: func(t *testing.T, s *hubtest.Server, _ *Client, _ error) {
				require.Equal(t, 3, countRequests(s, "hub", "HEAD", "/config.json"), "first try and 2 retries")
			},
		},
		{
			name: "5xx twice, then fine", repo: "org/clip", rev: "main",
			intercept: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if is(r, "GET", "/lfs/"+hubtest.SHA256(vision)) && n <= 2 {
					w.WriteHeader(http.StatusBadGateway)
					return true
				}
				return false
			},
			check: func(t *testing.T, s *hubtest.Server, _ *Client, _ error) {
				require.Equal(t, 3, countRequests(s, "cdn", "GET", hubtest.SHA256(vision)))
			},
		},
		{
			name: "connection reset twice, then fine", repo: "org/clip", rev: "main",
			intercept: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if strings.HasPrefix(r.URL.Path, "/api/") && n <= 2 {
					cutConnection(w)
					return true
				}
				return false
			},
			check: func(t *testing.T, s *hubtest.Server, _ *Client, _ error) {
				require.Equal(t, 3, countRequests(s, "hub", "GET", "/api/models/org/clip"))
			},
		},
		{
			name: "connection reset every time", repo: "org/clip", rev: "main",
			intercept: func(w http.ResponseWriter, r *http.Request, _ int) bool {
				cutConnection(w)
				return true
			},
			wantErr: []string{"look up model org/clip at revision main", "cannot reach the Hub", "gave up after 3 attempts"},
		},
		{
			name: "checksum mismatch", repo: "org/clip", rev: "main",
			intercept: func(w http.ResponseWriter, r *http.Request, _ int) bool {
				if is(r, "GET", "/lfs/"+hubtest.SHA256(vision)) {
					bad := append([]byte(nil), vision...)
					bad[100] ^= 1
					_, _ = w.Write(bad)
					return true
				}
				return false
			},
			wantIs: ErrChecksum, wantErr: []string{"download onnx/vision_model.onnx", "SHA-256", "discarded"},
			check: func(t *testing.T, s *hubtest.Server, c *Client, _ error) {
				require.NoFileExists(t, filepath.Join(c.CacheDir, "models--org--clip", "blobs", hubtest.SHA256(vision)))
			},
		},
		{
			name: "size mismatch", repo: "org/clip", rev: "main",
			intercept: func(w http.ResponseWriter, r *http.Request, _ int) bool {
				if is(r, "GET", "/lfs/"+hubtest.SHA256(vision)) {
					_, _ = w.Write(append(append([]byte(nil), vision...), "extra"...))
					return true
				}
				return false
			},
			wantIs: ErrChecksum, wantErr: []string{"got 5005 bytes, the Hub announced 5000"},
		},
		{
			name: "disk full", repo: "org/clip", rev: "main",
			hook:   func(w io.Writer) io.Writer { return &fullDisk{w: w, limit: 1000} },
			wantIs: ErrDiskFull, wantErr: []string{"download", "no space left on device", "HF_HUB_CACHE"},
			check: func(t *testing.T, s *hubtest.Server, c *Client, _ error) {
				// config.json fits in the space left; the first LFS file does not.
				blob := filepath.Join(c.CacheDir, "models--org--clip", "blobs", hubtest.SHA256(files["onnx/text_model.onnx"]))
				require.NoFileExists(t, blob)
				require.NoFileExists(t, blob+".incomplete", "the partial download is removed")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			seen := map[string]int{}
			opts := []hubtest.Option{hubtest.Gated("org/gated", "hf_RIGHT")}
			if tt.intercept != nil {
				opts = append(opts, hubtest.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
					mu.Lock()
					seen[r.Method+" "+r.URL.Path]++
					n := seen[r.Method+" "+r.URL.Path]
					mu.Unlock()
					return tt.intercept(w, r, n)
				}))
			}
			s := hubtest.NewServer(t, map[string]map[string][]byte{"org/clip": files, "org/gated": files}, opts...)
			c := newClient(t, s)
			c.Token = tt.token
			c.wrapWriter = tt.hook
			_, err := c.Snapshot(context.Background(), RepoModel, tt.repo, tt.rev, notReadme)
			if tt.wantIs == nil && tt.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				if tt.wantIs != nil {
					require.True(t, errors.Is(err, tt.wantIs), "%v is not %v", err, tt.wantIs)
				}
				for _, w := range tt.wantErr {
					require.ErrorContains(t, err, w)
				}
				if tt.token != "" {
					require.NotContains(t, err.Error(), tt.token, "the token is never shown")
				}
				require.Empty(t, leftovers(t, c.CacheDir))
			}
			if tt.check != nil {
				tt.check(t, s, c, err)
			}
		})
	}
}
