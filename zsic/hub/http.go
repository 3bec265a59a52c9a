package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxRedirects bounds the redirects followed for one request.
const maxRedirects = 10

// httpClient is c.HTTP, made to hand redirects back to the caller so that
// the Authorization header only ever goes to the Hub's own host.
func (c *Client) httpClient() *http.Client {
	hc := http.Client{}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// sameHost reports whether u is on the Hub endpoint's host and port.
func (c *Client) sameHost(u *url.URL) bool {
	e, err := url.Parse(c.Endpoint)
	return err == nil && strings.EqualFold(e.Scheme, u.Scheme) && strings.EqualFold(e.Host, u.Host)
}

// request sends method to rawURL, with header added. It sends the token only
// to the Hub's host. It follows redirects to the same host (a renamed
// repository); one to another host (a CDN) is followed when follow is true,
// else the redirect itself is returned. A failure to connect is retryable.
func (c *Client) request(ctx context.Context, method, rawURL string, header http.Header, follow bool) (*http.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("bad URL %q: %w", rawURL, err)
	}
	hc := c.httpClient()
	for range maxRedirects {
		req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, u.Redacted(), err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		req.Header.Set("User-Agent", "zsic-hub/1")
		req.Header.Set("Accept-Encoding", "identity")
		if c.Token != "" && c.sameHost(u) {
			req.Header.Set("Authorization", "Bearer "+c.Token)
		}
		wd := newWatchdog(ctx, c.timeout())
		resp, err := hc.Do(req.WithContext(wd.ctx))
		if err != nil {
			wd.stop()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if wd.fired() {
				return nil, wd.stallError(fmt.Sprintf("%s %s", method, u.Redacted()))
			}
			// The transport's error may quote a malformed answer's header
			// line, which a hostile server can fill with the token.
			return nil, retryable{fmt.Errorf("cannot reach the Hub (set HF_HUB_OFFLINE=1 to use only the cache): %w", cleanError{c.serverText(err.Error()), err})}
		}
		wd.disarm()
		resp.Body = &guardedBody{rc: resp.Body, w: wd}
		if !isRedirect(resp.StatusCode) {
			return resp, nil
		}
		loc := resp.Header.Get("Location")
		if loc == "" {
			return resp, nil
		}
		next, err := u.Parse(loc)
		if err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("%s %s: bad redirect %q: %w", method, u.Redacted(), c.serverText(loc), err)
		}
		relative := next.Host == u.Host && next.Scheme == u.Scheme
		if !relative && !follow {
			resp.Body.Close()
			resp.Header.Set("Location", next.String())
			return resp, nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		u = next
	}
	return nil, fmt.Errorf("%s %s: more than %d redirects", method, rawURL, maxRedirects)
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// withRetries runs attempt until it succeeds, fails with an error that is not
// retryable, or has failed c.Retries+1 times, sleeping with exponential
// backoff between tries.
func (c *Client) withRetries(ctx context.Context, attempt func() error) error {
	var err error
	for i := 0; ; i++ {
		err = attempt()
		var r retryable
		if err == nil || !errors.As(err, &r) {
			return err
		}
		if i >= c.Retries {
			break
		}
		t := time.NewTimer(c.backoff(i))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (while waiting to retry after: %w)", ctx.Err(), err)
		case <-t.C:
		}
	}
	return fmt.Errorf("%w (gave up after %d attempts)", err, c.Retries+1)
}
