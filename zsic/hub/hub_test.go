package hub

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic/hub/hubtest"
	"github.com/zsic/zsic/zsic/progress"
)

// modelFiles is a small model repository: two files kept in git, two in LFS
// (one in a sub-folder), one that zsic does not want.
func modelFiles() map[string][]byte {
	return map[string][]byte{
		"config.json":            []byte(`{"model_type": "clip"}`),
		"tokenizer/vocab.json":   []byte(`{"a": 0}`),
		"onnx/text_model.onnx":   randomBytes(3000, 1),
		"onnx/vision_model.onnx": randomBytes(5000, 2),
		"README.md":              []byte("# a model\n"),
	}
}

func notReadme(p string) bool { return p != "README.md" }

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// newClient is a client of s with a fresh cache and short backoff.
func newClient(t *testing.T, s *hubtest.Server) *Client {
	t.Helper()
	return &Client{Endpoint: s.URL, CacheDir: t.TempDir(), HTTP: &http.Client{Timeout: 30 * time.Second},
		Retries: 2, Backoff: time.Millisecond}
}

// countRequests counts the logged requests of server ("hub" or "cdn") whose
// method is method and whose path contains part.
func countRequests(s *hubtest.Server, server, method, part string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Server == server && r.Method == method && strings.Contains(r.Path, part) {
			n++
		}
	}
	return n
}

// leftovers lists the .incomplete and .tmp-link files under dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil && (strings.HasSuffix(p, ".incomplete") || strings.HasSuffix(p, ".tmp-link")) {
			out = append(out, p)
		}
		return err
	})
	require.NoError(t, err)
	return out
}

func TestFromEnv(t *testing.T) {
	home := t.TempDir()
	tokenFile := filepath.Join(home, "my-token")
	require.NoError(t, os.WriteFile(tokenFile, []byte("hf_fromfile\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(home, "token"), []byte(" hf_home \n"), 0o600))

	tests := []struct {
		name string
		env  map[string]string
		want Client
	}{
		{
			name: "defaults under HF_HOME",
			env:  map[string]string{"HF_HOME": home},
			want: Client{Endpoint: DefaultEndpoint, Token: "hf_home", CacheDir: filepath.Join(home, "hub")},
		},
		{
			name: "everything set",
			env: map[string]string{"HF_HOME": home, "HF_ENDPOINT": "http://mirror.example/", "HF_TOKEN": "hf_env",
				"HF_HUB_CACHE": "/cache/hub", "HF_HUB_OFFLINE": "1"},
			want: Client{Endpoint: "http://mirror.example", Token: "hf_env", CacheDir: "/cache/hub", Offline: true},
		},
		{
			name: "token file path, offline spelled yes",
			env:  map[string]string{"HF_HOME": home, "HF_TOKEN_PATH": tokenFile, "HF_HUB_OFFLINE": "yes"},
			want: Client{Endpoint: DefaultEndpoint, Token: "hf_fromfile", CacheDir: filepath.Join(home, "hub"), Offline: true},
		},
		{
			name: "XDG_CACHE_HOME without HF_HOME, no token file",
			env:  map[string]string{"XDG_CACHE_HOME": filepath.Join(home, "xdg"), "HF_HUB_OFFLINE": "0"},
			want: Client{Endpoint: DefaultEndpoint, CacheDir: filepath.Join(home, "xdg", "huggingface", "hub")},
		},
		{
			name: "legacy HUGGINGFACE_HUB_CACHE",
			env:  map[string]string{"HF_HOME": home, "HUGGINGFACE_HUB_CACHE": "/legacy"},
			want: Client{Endpoint: DefaultEndpoint, Token: "hf_home", CacheDir: "/legacy"},
		},
	}
	vars := []string{"HF_HOME", "HF_ENDPOINT", "HF_TOKEN", "HF_TOKEN_PATH", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HUB_OFFLINE", "XDG_CACHE_HOME"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range vars {
				t.Setenv(v, tt.env[v])
			}
			c := FromEnv()
			require.Equal(t, tt.want.Endpoint, c.Endpoint)
			require.Equal(t, tt.want.Token, c.Token)
			require.Equal(t, tt.want.CacheDir, c.CacheDir)
			require.Equal(t, tt.want.Offline, c.Offline)
			require.NotNil(t, c.HTTP)
			require.Positive(t, c.Retries)
		})
	}
}

func TestClientNeverPrintsToken(t *testing.T) {
	c := &Client{Endpoint: DefaultEndpoint, Token: "hf_SECRET123", CacheDir: "/c"}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{c, *c} {
			out := fmt.Sprintf(format, v)
			require.NotContains(t, out, "SECRET", format)
			require.Contains(t, out, "redacted", format)
		}
	}
}

func TestCheckArgs(t *testing.T) {
	tests := []struct {
		typ       RepoType
		repo, rev string
		wantErr   string
	}{
		{RepoModel, "openai/clip-vit-base-patch32", "main", ""},
		{RepoDataset, "cifar100", "refs/convert/parquet", ""},
		{"space", "org/name", "main", "repository type"},
		{RepoModel, "org/name/extra", "main", "repository id"},
		{RepoModel, "../etc", "main", "repository id"},
		{RepoModel, "org/na--me", "main", "repository id"},
		{RepoModel, "org/", "main", "repository id"},
		{RepoModel, "org/name", "", "empty"},
		{RepoModel, "org/name", "../../x", "revision"},
	}
	for _, tt := range tests {
		t.Run(tt.repo+"@"+tt.rev, func(t *testing.T) {
			err := checkArgs(tt.typ, tt.repo, tt.rev)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestClientNotReady(t *testing.T) {
	_, err := (&Client{Endpoint: DefaultEndpoint}).Snapshot(context.Background(), RepoModel, "org/m", "main", nil)
	require.ErrorContains(t, err, "no CacheDir")
	_, err = (&Client{CacheDir: t.TempDir()}).DatasetSplit(context.Background(), "org/d", "test", "main")
	require.ErrorContains(t, err, "no Endpoint")
}

func TestProgressBar(t *testing.T) {
	big := randomBytes(3<<19, 3) // 1.5 MiB
	s := hubtest.NewServer(t, map[string]map[string][]byte{"org/m": {"model.onnx": big, "config.json": []byte("{}")}})
	c := newClient(t, s)
	var out bytes.Buffer
	c.Progress = progress.Bar(&out)
	_, err := c.Snapshot(context.Background(), RepoModel, "org/m", "main", nil)
	require.NoError(t, err)
	require.Contains(t, out.String(), "downloading model.onnx")
	require.Contains(t, out.String(), "1.5 MiB / 1.5 MiB (100%) done")
	require.NotContains(t, out.String(), "config.json", "small files show no bar")
}
