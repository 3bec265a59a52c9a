package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/zsic/zsic/zsic/progress"
)

var (
	// sha256RE matches an LFS object id, the ETag of files stored with LFS.
	sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)
	// etagRE matches an ETag that is safe as a blob file name.
	etagRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._-]*$`)
)

// fileMeta is what the Hub says about a file in answer to HEAD on its
// resolve URL.
type fileMeta struct {
	etag     string // LFS sha256, else git blob sha1: the blob's name
	size     int64  // -1 when the Hub did not say
	commit   string // X-Repo-Commit
	location string // where to GET the bytes: the resolve URL or a CDN
}

// fetchFile makes sure file of repo at commit is in the cache, linked from
// its snapshot folder.
func (c *Client) fetchFile(ctx context.Context, t RepoType, repo, commit, file string) error {
	dir := c.repoDir(t, repo)
	pointer := filepath.Join(dir, "snapshots", commit, filepath.FromSlash(file))
	if _, err := os.Stat(pointer); err == nil {
		return nil
	}
	what := fmt.Sprintf("download %s of %s", file, describe(t, repo, commit))
	meta, err := c.headFile(ctx, c.resolveURL(t, repo, commit, file), what)
	if err != nil {
		return err
	}
	if meta.commit != "" && meta.commit != commit {
		return fmt.Errorf("%s: the Hub answered for commit %s", what, meta.commit)
	}
	blob := filepath.Join(dir, "blobs", meta.etag)
	lock := filepath.Join(c.CacheDir, ".locks", folderName(t, repo), meta.etag+".lock")
	unlock, err := lockFile(ctx, lock, func() {
		if c.Log != nil {
			fmt.Fprintf(c.Log, "waiting for another zsic (or huggingface_hub) to finish downloading %s of %s (lock %s)\n", file, repo, lock)
		}
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer unlock()
	if _, err := os.Stat(blob); err != nil {
		if err := c.download(ctx, meta, blob, file, what); err != nil {
			return err
		}
	}
	if err := linkBlob(blob, pointer); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// headFile asks the Hub where file's bytes are and what they should be.
func (c *Client) headFile(ctx context.Context, resolve, what string) (fileMeta, error) {
	var meta fileMeta
	err := c.withRetries(ctx, func() error {
		resp, err := c.request(ctx, "HEAD", resolve, nil, false)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		resp.Body.Close()
		meta = fileMeta{location: resp.Request.URL.String()}
		if isRedirect(resp.StatusCode) {
			meta.location = resp.Header.Get("Location")
		} else if err := c.statusError(resp, what); err != nil {
			return err
		}
		h := resp.Header
		meta.commit = h.Get("X-Repo-Commit")
		meta.etag = normalizeETag(h.Get("X-Linked-Etag"))
		if meta.etag == "" {
			meta.etag = normalizeETag(h.Get("ETag"))
		}
		meta.size = -1
		size := h.Get("X-Linked-Size")
		if size == "" && !isRedirect(resp.StatusCode) {
			size = h.Get("Content-Length")
		}
		if n, err := strconv.ParseInt(size, 10, 64); err == nil && n >= 0 {
			meta.size = n
		}
		return nil
	})
	if err != nil {
		return fileMeta{}, err
	}
	if !etagRE.MatchString(meta.etag) {
		return fileMeta{}, fmt.Errorf("%s: the Hub gave no usable ETag (%q), so the file cannot be cached", what, c.serverText(meta.etag))
	}
	return meta, nil
}

// normalizeETag strips the weak marker and quotes from an ETag header.
func normalizeETag(v string) string {
	return strings.Trim(strings.TrimPrefix(strings.TrimSpace(v), "W/"), `"`)
}

// download fetches meta's bytes into blob by way of blob.incomplete,
// resuming what an earlier try left there, and checks them.
func (c *Client) download(ctx context.Context, meta fileMeta, blob, file, what string) error {
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	inc := blob + ".incomplete"
	bar := &counter{report: c.Progress, u: progress.Update{Task: "downloading " + file, Unit: progress.Bytes, Total: meta.size}}
	err := c.withRetries(ctx, func() error { return c.downloadOnce(ctx, meta, inc, what, bar) })
	bar.finish(err)
	if err != nil {
		return err
	}
	if err := verify(inc, meta); err != nil {
		os.Remove(inc)
		return fmt.Errorf("%s: %w; the download was discarded", what, err)
	}
	if err := os.Rename(inc, blob); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// downloadOnce makes one request for the bytes that inc still lacks.
func (c *Client) downloadOnce(ctx context.Context, meta fileMeta, inc, what string, bar *counter) error {
	f, err := os.OpenFile(inc, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if meta.size >= 0 && have > meta.size {
		if have, err = restart(f); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	if meta.size >= 0 && have == meta.size {
		return nil
	}
	hdr := http.Header{}
	if have > 0 {
		hdr.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	resp, err := c.request(ctx, "GET", meta.location, hdr, true)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0 && rangeStart(resp) == have:
	case resp.StatusCode == http.StatusOK:
		if have, err = restart(f); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	case resp.StatusCode == http.StatusPartialContent || resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		if _, err := restart(f); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return retryable{fmt.Errorf("%s: the server did not resume at byte %d (HTTP %d)", what, have, resp.StatusCode)}
	default:
		if err := c.statusError(resp, what); err != nil {
			return err
		}
		return fmt.Errorf("%s: unexpected answer HTTP %d", what, resp.StatusCode)
	}
	bar.set(have)
	var w io.Writer = f
	if c.wrapWriter != nil {
		w = c.wrapWriter(w)
	}
	n, err := copyBody(w, resp.Body, bar)
	switch {
	case isDiskFull(err):
		f.Close()
		os.Remove(inc)
		return fmt.Errorf("%s: %w while writing %s (removed): free some space, or set HF_HUB_CACHE to a folder on a larger disk: %w",
			what, ErrDiskFull, inc, err)
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	case meta.size >= 0 && have+n < meta.size:
		return retryable{fmt.Errorf("%s: the connection ended after %d of %d bytes", what, have+n, meta.size)}
	}
	return nil
}

// restart empties a partial download.
func restart(f *os.File) (int64, error) {
	if err := f.Truncate(0); err != nil {
		return 0, err
	}
	_, err := f.Seek(0, io.SeekStart)
	return 0, err
}

// rangeStart is the first byte of a 206 answer, from Content-Range
// "bytes START-END/TOTAL"; -1 if it cannot be read.
func rangeStart(resp *http.Response) int64 {
	v, ok := strings.CutPrefix(resp.Header.Get("Content-Range"), "bytes ")
	if !ok {
		return -1
	}
	start, _, _ := strings.Cut(v, "-")
	n, err := strconv.ParseInt(start, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// writeError marks a failure to write, as opposed to one to read.
type writeError struct{ err error }

func (e writeError) Error() string { return "write: " + e.err.Error() }
func (e writeError) Unwrap() error { return e.err }

// copyBody copies body to w, telling bar. A failure to read is retryable,
// since the bytes written so far are kept and the next try resumes.
func copyBody(w io.Writer, body io.Reader, bar *counter) (int64, error) {
	buf := make([]byte, 256<<10)
	var total int64
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			bar.add(int64(m))
			if werr == nil && m < n {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return total, writeError{werr}
			}
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, retryable{fmt.Errorf("read from the server after %d bytes: %w", total, rerr)}
		}
	}
}

// verify checks a finished download against the size and, for LFS files
// (whose ETag is the SHA-256 of their content), the checksum the Hub gave.
func verify(path string, meta fileMeta) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("read back %s: %w", path, err)
	}
	if meta.size >= 0 && n != meta.size {
		return fmt.Errorf("%w: got %d bytes, the Hub announced %d", ErrChecksum, n, meta.size)
	}
	if sha256RE.MatchString(meta.etag) {
		if got := hex.EncodeToString(h.Sum(nil)); got != meta.etag {
			return fmt.Errorf("%w: SHA-256 is %s, the Hub announced %s", ErrChecksum, got, meta.etag)
		}
	}
	return nil
}

// counter reports the bytes of one download to a progress.Func.
type counter struct {
	report progress.Func
	u      progress.Update
}

// set records that done bytes are there, as when a download resumes.
func (c *counter) set(done int64) {
	c.u.Done = done
	c.report.Report(c.u)
}

// add records n more bytes.
func (c *counter) add(n int64) {
	c.u.Done += n
	c.report.Report(c.u)
}

// finish reports the end of the download, failed when err is set.
func (c *counter) finish(err error) {
	c.u.Final, c.u.Err = true, err
	c.report.Report(c.u)
}
