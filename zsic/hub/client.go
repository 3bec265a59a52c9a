// Package hub fetches model and dataset files from the Hugging Face Hub and
// keeps them in the huggingface_hub cache layout, so that a cache filled by
// Python is reused here and one filled here is usable from Python:
//
//	$HF_HUB_CACHE/models--org--name/
//	    blobs/<etag>                     file contents, named by LFS sha256 or git sha1
//	    snapshots/<commit>/<path>        relative symlinks to ../../blobs/<etag>
//	    refs/<revision>                  the commit that revision pointed to
//	$HF_HUB_CACHE/.locks/models--org--name/<etag>.lock
//
// Downloads go through blobs/<etag>.incomplete, resume with a Range request
// after an interruption, are checked against the size and checksum the Hub
// announces, and are serialised between processes with a file lock.
package hub

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/zsic/zsic/zsic/progress"
)

// RepoType is the kind of Hub repository: RepoModel or RepoDataset.
type RepoType string

// The repository kinds the Hub serves that zsic uses.
const (
	RepoModel   RepoType = "model"
	RepoDataset RepoType = "dataset"
)

// DefaultEndpoint is the Hub's address when HF_ENDPOINT is unset.
const DefaultEndpoint = "https://huggingface.co"

// Client fetches files from a Hub and caches them. The zero value is not
// ready: use FromEnv, or set at least Endpoint and CacheDir.
type Client struct {
	Endpoint string        // HF_ENDPOINT, default DefaultEndpoint
	Token    string        // HF_TOKEN or the token file; never printed or logged
	CacheDir string        // HF_HUB_CACHE, else $HF_HOME/hub
	Offline  bool          // HF_HUB_OFFLINE=1: use only the cache
	HTTP     *http.Client  // nil means http.DefaultClient
	Progress progress.Func // told how each download advances; nil for nothing
	Retries  int           // retries after a 5xx answer, a broken connection or a stall
	Backoff  time.Duration // delay before the first retry, doubled for each next one; 0 means one second
	// Timeout bounds each wait of a request: for a connection, for the
	// answer's headers, and for each next bytes of its body; 0 means
	// DefaultTimeout. A stalled request is retried as a broken one.
	Timeout time.Duration
	// Log receives notes for the user, such as a wait for another process
	// downloading the same file; nil for none.
	Log io.Writer

	// wrapWriter, when set, wraps the writer of every download; tests use
	// it to simulate a full disk.
	wrapWriter func(io.Writer) io.Writer
}

// String describes c without its token.
func (c Client) String() string {
	return fmt.Sprintf("hub.Client{Endpoint: %q, Token: %s, CacheDir: %q, Offline: %t, Retries: %d}",
		c.Endpoint, redact(c.Token), c.CacheDir, c.Offline, c.Retries)
}

// GoString is like String, so that %#v does not print the token either.
func (c Client) GoString() string { return c.String() }

// redact stands for a token in any text meant for people.
func redact(token string) string {
	if token == "" {
		return "none"
	}
	return "<redacted>"
}

func (c *Client) backoff(attempt int) time.Duration {
	base := c.Backoff
	if base <= 0 {
		base = time.Second
	}
	return base << min(attempt, 5)
}

// String returns "model" or "dataset".
func (t RepoType) String() string { return string(t) }

// folderName is the cache folder of repo, as huggingface_hub names it:
// "models--org--name".
func folderName(t RepoType, repo string) string {
	return string(t) + "s--" + strings.ReplaceAll(repo, "/", "--")
}

// repoDir is the cache folder of repo.
func (c *Client) repoDir(t RepoType, repo string) string {
	return filepath.Join(c.CacheDir, folderName(t, repo))
}

// ready reports a Client that lacks what it needs for online or offline use.
func (c *Client) ready() error {
	if c.CacheDir == "" {
		return fmt.Errorf("hub client has no CacheDir: use hub.FromEnv or set it")
	}
	if !c.Offline && c.Endpoint == "" {
		return fmt.Errorf("hub client has no Endpoint: use hub.FromEnv or set it")
	}
	return checkToken(c.Token)
}

// checkArgs rejects a repository type, id or revision that the Hub would
// not accept, or that could lead out of the cache folder.
func checkArgs(t RepoType, repo, revision string) error {
	if t != RepoModel && t != RepoDataset {
		return fmt.Errorf("repository type %q: want %q or %q", t, RepoModel, RepoDataset)
	}
	parts := strings.Split(repo, "/")
	if len(parts) > 2 || strings.Contains(repo, "--") || strings.Contains(repo, "..") {
		return fmt.Errorf("repository id %q: want \"name\" or \"org/name\"", repo)
	}
	for _, p := range parts {
		if p == "" || strings.TrimFunc(p, isIDRune) != "" {
			return fmt.Errorf("repository id %q: want \"name\" or \"org/name\" of letters, digits, '-', '_' and '.'", repo)
		}
	}
	if revision == "" {
		return fmt.Errorf("revision of %s: empty", repo)
	}
	if !localPath(revision) {
		return fmt.Errorf("revision %q of %s: want a branch, tag or commit", revision, repo)
	}
	return nil
}

func isIDRune(r rune) bool {
	return r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// localPath reports whether the slash-separated p names something inside a
// folder: not absolute, and without empty, "." or ".." parts.
func localPath(p string) bool {
	if strings.ContainsRune(p, '\\') {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return true
}
