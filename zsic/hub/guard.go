package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"
)

// DefaultTimeout is how long a request may wait for a connection, for the
// answer's headers, or for the next bytes of its body when neither
// Client.Timeout nor HF_HUB_DOWNLOAD_TIMEOUT says otherwise; it is
// huggingface_hub's default.
const DefaultTimeout = 10 * time.Second

// timeout returns c.Timeout or DefaultTimeout.
func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

// errStalled is the cause of a request cancelled by its watchdog.
var errStalled = errors.New("stalled")

// watchdog cancels a request that waits longer than d for a connection, its
// headers or the next bytes of its body. It runs from its start until stop,
// and between arm and disarm while the body is read.
type watchdog struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	d      time.Duration
	mu     sync.Mutex
	t      *time.Timer
}

func newWatchdog(parent context.Context, d time.Duration) *watchdog {
	w := &watchdog{d: d}
	w.ctx, w.cancel = context.WithCancelCause(parent)
	w.t = time.AfterFunc(d, func() { w.cancel(errStalled) })
	return w
}

// arm restarts the countdown.
func (w *watchdog) arm() {
	w.mu.Lock()
	w.t.Reset(w.d)
	w.mu.Unlock()
}

// disarm pauses the countdown.
func (w *watchdog) disarm() {
	w.mu.Lock()
	w.t.Stop()
	w.mu.Unlock()
}

// stop ends the watch and releases its context.
func (w *watchdog) stop() {
	w.disarm()
	w.cancel(context.Canceled)
}

// fired reports whether the watchdog cancelled the request.
func (w *watchdog) fired() bool { return errors.Is(context.Cause(w.ctx), errStalled) }

// stallError describes a request the watchdog cancelled.
func (w *watchdog) stallError(what string) error {
	return retryable{fmt.Errorf("%s: the server sent nothing for %s (set HF_HUB_DOWNLOAD_TIMEOUT to wait longer)", what, w.d)}
}

// guardedBody is an answer's body read under its watchdog: each Read must
// bring bytes within the timeout.
type guardedBody struct {
	rc io.ReadCloser
	w  *watchdog
}

func (b *guardedBody) Read(p []byte) (int, error) {
	b.w.arm()
	n, err := b.rc.Read(p)
	b.w.disarm()
	if err != nil && err != io.EOF && b.w.fired() {
		err = b.w.stallError("read the answer")
	}
	return n, err
}

func (b *guardedBody) Close() error {
	err := b.rc.Close()
	b.w.stop()
	return err
}

// checkToken reports a token that cannot go into an HTTP header, without
// printing it.
func checkToken(token string) error {
	for i, r := range token {
		if r < 0x20 || r == 0x7f || r > unicode.MaxASCII {
			return fmt.Errorf("the Hub token (HF_TOKEN, or the token file at HF_TOKEN_PATH or $HF_HOME/token) has a control or non-ASCII character (%U) at byte %d: "+
				"a token is printable ASCII; fix the variable or the file (a stray CR or LF?)", r, i)
		}
	}
	return nil
}

// maxServerText bounds the text from a server that goes into a message.
const maxServerText = 300

// serverText makes text from a server fit for a message: the token (and
// anything holding it) redacted, control characters dropped, cut to
// maxServerText bytes. A server or mirror that echoes the request's
// Authorization header cannot get the token printed.
func (c *Client) serverText(text string) string {
	if c.Token != "" {
		text = strings.ReplaceAll(text, c.Token, "<redacted>")
	}
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, text)
	if len(text) > maxServerText {
		cut := maxServerText
		for cut > 0 && !utf8Start(text[cut]) {
			cut--
		}
		text = text[:cut] + "..."
	}
	return text
}

// utf8Start reports whether b starts a UTF-8 sequence.
func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// cleanError is err with its message made fit to show (see serverText).
type cleanError struct {
	msg string
	err error
}

func (e cleanError) Error() string { return e.msg }
func (e cleanError) Unwrap() error { return e.err }
