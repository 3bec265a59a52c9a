package hub

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic/hub/hubtest"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A server that stalls before its headers, or in the middle of a body, is
// given up on after the timeout (and the retries), never waited for forever.
func TestStalledServer(t *testing.T) {
	files := modelFiles()
	vision := files["onnx/vision_model.onnx"]
	for _, tc := range []struct {
		name      string
		intercept func(w http.ResponseWriter, r *http.Request) bool
		want      string
	}{
		{"before headers", func(w http.ResponseWriter, r *http.Request) bool {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				<-r.Context().Done()
				return true
			}
			return false
		}, "look up model org/clip at revision main: GET "},
		{"after headers", func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == "GET" && strings.Contains(r.URL.Path, hubtest.SHA256(vision)) {
				w.Header().Set("Content-Length", "5000")
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write(vision[:100])
				http.NewResponseController(w).Flush()
				<-r.Context().Done()
				return true
			}
			return false
		}, "download onnx/vision_model.onnx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := hubtest.NewServer(t, map[string]map[string][]byte{"org/clip": files}, hubtest.Intercept(tc.intercept))
			c := newClient(t, s)
			c.Timeout = 300 * time.Millisecond
			c.Retries = 1
			start := time.Now()
			_, err := c.Snapshot(context.Background(), RepoModel, "org/clip", "main", notReadme)
			require.Less(t, time.Since(start), 10*time.Second)
			require.ErrorContains(t, err, tc.want)
			require.ErrorContains(t, err, "sent nothing for 300ms (set HF_HUB_DOWNLOAD_TIMEOUT to wait longer)")
			require.ErrorContains(t, err, "gave up after 2 attempts")
		})
	}
}

// A token with a CR or LF is refused before any request, without being
// shown, instead of failing as "cannot reach the Hub" after the retries.
func TestTokenControlCharacters(t *testing.T) {
	s := hubtest.NewServer(t, map[string]map[string][]byte{"org/clip": modelFiles()})
	c := newClient(t, s)
	c.Token = "hf_SECRET\r\n"
	_, err := c.Snapshot(context.Background(), RepoModel, "org/clip", "main", notReadme)
	require.ErrorContains(t, err, "has a control or non-ASCII character (U+000D) at byte 9")
	require.NotContains(t, err.Error(), "hf_SECRET")
	require.NotContains(t, err.Error(), "cannot reach")
	require.Empty(t, s.Requests(), "nothing was sent")
}

// X-Error-Message is the server's text: control characters are dropped, it
// is cut short, and the token is redacted from it.
func TestServerTextSanitized(t *testing.T) {
	const token = "hf_SECRETTOKEN"
	for _, tc := range []struct {
		name, header string
		access       bool // the answer is read as a 403, not as a broken connection
	}{
		{"printable", "denied for Authorization: Bearer " + token + " " + strings.Repeat("x", 1000), true},
		// Go's HTTP client refuses the control character and quotes the
		// header line in its own error.
		{"escape sequence", "denied for Authorization: Bearer " + token + " \x1b[31mred", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := hubtest.NewServer(t, map[string]map[string][]byte{"org/clip": modelFiles()},
				hubtest.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
					w.Header().Set("X-Error-Message", tc.header)
					w.WriteHeader(http.StatusForbidden)
					return true
				}))
			c := newClient(t, s)
			c.Token = token
			_, err := c.Snapshot(context.Background(), RepoModel, "org/clip", "main", notReadme)
			require.Error(t, err)
			if tc.access {
				require.ErrorIs(t, err, ErrAccess)
			}
			msg := err.Error()
			require.NotContains(t, msg, token)
			require.Contains(t, msg, "Bearer <redacted>")
			require.NotContains(t, msg, "\x1b")
			require.NotContains(t, msg, strings.Repeat("x", 400))
		})
	}
}

// A process waiting for another one's download says so.
func TestLockWaitVisible(t *testing.T) {
	files := modelFiles()
	s := hubtest.NewServer(t, map[string]map[string][]byte{"org/clip": files})
	c := newClient(t, s)
	var log syncBuffer
	c.Log = &log
	lock := filepath.Join(c.CacheDir, ".locks", "models--org--clip", s.ETag("config.json", files["config.json"])+".lock")
	unlock, err := lockFile(context.Background(), lock, nil)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := c.Snapshot(context.Background(), RepoModel, "org/clip", "main", notReadme)
		done <- err
	}()
	require.Eventually(t, func() bool { return strings.Contains(log.String(), "waiting for another") }, 10*time.Second, 10*time.Millisecond)
	require.Contains(t, log.String(), "to finish downloading config.json of org/clip (lock "+lock+")")
	unlock()
	require.NoError(t, <-done)
}
