package hub

import (
	"errors"
	"fmt"
	"net/http"
)

// Errors that callers can test for with errors.Is.
var (
	// ErrNotCached: offline, and the cache lacks what was asked for.
	ErrNotCached = errors.New("not in the cache")
	// ErrAccess: the Hub refused access (HTTP 401 or 403).
	ErrAccess = errors.New("access denied")
	// ErrNotFound: the Hub has no such repository, revision or file.
	ErrNotFound = errors.New("not found")
	// ErrChecksum: a download did not match the size or SHA-256 the Hub announced.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrDiskFull: the cache's disk ran out of space during a download.
	ErrDiskFull = errors.New("disk full")
)

// retryable marks an error after which the same request may succeed.
type retryable struct{ err error }

func (r retryable) Error() string { return r.err.Error() }
func (r retryable) Unwrap() error { return r.err }

// statusError turns a non-2xx answer about what into an error, nil for 2xx.
func (c *Client) statusError(resp *http.Response, what string) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	detail := ""
	if m := c.serverText(resp.Header.Get("X-Error-Message")); m != "" {
		detail = " (the Hub says: " + m + ")"
	}
	switch {
	case code == http.StatusUnauthorized && resp.Header.Get("X-Error-Code") == "RepoNotFound":
		// The Hub answers so for a repository that does not exist, or
		// that it will not show without a token.
		return fmt.Errorf("%s: %w (HTTP 401)%s: check the name; if the repository is private or gated, set HF_TOKEN", what, ErrNotFound, detail)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		hint := "the repository is gated or private: accept its terms on the Hub, then set HF_TOKEN to an access token (or run `hf auth login`)"
		if c.Token != "" {
			hint = "the repository is gated or private, and the token in use (HF_TOKEN or the token file) has no access to it: accept its terms on the Hub or use another token"
		}
		return fmt.Errorf("%s: %w (HTTP %d)%s: %s", what, ErrAccess, code, detail, hint)
	case code == http.StatusNotFound:
		return fmt.Errorf("%s: %w (HTTP 404)%s", what, ErrNotFound, detail)
	case code == http.StatusTooManyRequests || code >= 500:
		return retryable{fmt.Errorf("%s: the Hub answered HTTP %d%s", what, code, detail)}
	}
	return fmt.Errorf("%s: unexpected answer HTTP %d%s", what, code, detail)
}
