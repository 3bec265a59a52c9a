package hubtest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestServerHeaders(t *testing.T) {
	small := []byte(`{"a": 1}`)
	large := []byte(strings.Repeat("x", 2000))
	s := NewServer(t, map[string]map[string][]byte{"org/m": {"config.json": small, "model.onnx": large}})
	commit := s.Commit("org/m")
	require.Regexp(t, `^[0-9a-f]{40}$`, commit)

	tests := []struct {
		path       string
		wantStatus int
		wantHeader map[string]string
	}{
		{"/org/m/resolve/main/config.json", 200, map[string]string{
			// `printf '{"a": 1}' | git hash-object --stdin`
			"ETag": `"4a036f56bb619924ec4189bd84ed716c766971ae"`, "X-Repo-Commit": commit, "Content-Length": "8"}},
		{"/org/m/resolve/" + commit + "/model.onnx", 302, map[string]string{
			"X-Linked-Etag": `"` + SHA256(large) + `"`, "X-Linked-Size": "2000", "X-Repo-Commit": commit,
			"Location": s.CDN.URL + "/lfs/" + SHA256(large)}},
		{"/org/m/resolve/main/nope.txt", 404, map[string]string{"X-Error-Code": "EntryNotFound"}},
		{"/org/m/resolve/v2/config.json", 404, map[string]string{"X-Error-Code": "RevisionNotFound"}},
		{"/org/x/resolve/main/config.json", 404, map[string]string{"X-Error-Code": "RepoNotFound"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := noRedirect.Head(s.URL + tt.path)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, tt.wantStatus, resp.StatusCode)
			for k, v := range tt.wantHeader {
				require.Equal(t, v, resp.Header.Get(k), k)
			}
		})
	}

	resp, err := http.Get(s.URL + "/org/m/resolve/main/model.onnx")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, large, body, "the redirect leads to the CDN's copy")
	require.Equal(t, "cdn", s.Requests()[len(s.Requests())-1].Server)
}

func TestGitBlobSHA1(t *testing.T) {
	// `printf 'hello\n' | git hash-object --stdin`
	require.Equal(t, "ce013625030ba8dba906f756967f9e9ca394464a", GitBlobSHA1([]byte("hello\n")))
}
