package hub

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// FromEnv returns a Client configured as huggingface_hub configures itself:
// HF_ENDPOINT, HF_TOKEN (else the token file at HF_TOKEN_PATH, else
// $HF_HOME/token), HF_HUB_CACHE (else $HF_HOME/hub) and HF_HUB_OFFLINE. HF_HOME
// defaults to $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface.
func FromEnv() *Client {
	home := hfHome()
	endpoint := strings.TrimRight(os.Getenv("HF_ENDPOINT"), "/")
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	cacheDir := os.Getenv("HF_HUB_CACHE")
	if cacheDir == "" {
		cacheDir = os.Getenv("HUGGINGFACE_HUB_CACHE")
	}
	if cacheDir == "" {
		cacheDir = filepath.Join(home, "hub")
	}
	return &Client{
		Endpoint: endpoint,
		Token:    envToken(home),
		CacheDir: expandHome(cacheDir),
		Offline:  isTrue(os.Getenv("HF_HUB_OFFLINE")),
		HTTP:     http.DefaultClient,
		Retries:  5,
		Timeout:  envSeconds("HF_HUB_DOWNLOAD_TIMEOUT"),
	}
}

// envSeconds reads a positive number of seconds from the environment
// variable name, as huggingface_hub reads its timeouts; 0 when unset or not
// a positive number.
func envSeconds(name string) time.Duration {
	v, err := strconv.ParseFloat(strings.TrimSpace(os.Getenv(name)), 64)
	if err != nil || !(v > 0) || v > 86400 {
		return 0
	}
	return time.Duration(v * float64(time.Second))
}

// hfHome is huggingface_hub's HF_HOME.
func hfHome() string {
	if h := os.Getenv("HF_HOME"); h != "" {
		return expandHome(h)
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(expandHome(x), "huggingface")
	}
	return filepath.Join(expandHome("~"), ".cache", "huggingface")
}

// envToken is HF_TOKEN, else the first line of the token file, else "".
func envToken(home string) string {
	if t := strings.TrimSpace(os.Getenv("HF_TOKEN")); t != "" {
		return t
	}
	path := os.Getenv("HF_TOKEN_PATH")
	if path == "" {
		path = filepath.Join(home, "token")
	}
	b, err := os.ReadFile(expandHome(path))
	if err != nil {
		return "" // no token file: anonymous access, as huggingface_hub does
	}
	return strings.TrimSpace(string(b))
}

// expandHome replaces a leading "~" with the user's home folder.
func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(h, p[1:])
}

// isTrue reads a boolean environment variable the way huggingface_hub does.
func isTrue(v string) bool {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "1", "ON", "YES", "TRUE":
		return true
	}
	return false
}
