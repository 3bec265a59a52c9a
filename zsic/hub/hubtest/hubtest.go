// Package hubtest runs a fake Hugging Face Hub for tests: the repository
// info API, resolve URLs with the Hub's headers, and a second server that
// plays the CDN to which the Hub redirects downloads of LFS files.
package hubtest

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one request that the fake Hub or its CDN received.
type Request struct {
	Server        string // "hub" or "cdn"
	Method        string
	Path          string // unescaped
	Range         string // the Range header
	Authorization string // the Authorization header
}

// Server is a fake Hub. Its embedded httptest.Server is the Hub (point
// HF_ENDPOINT or Client.Endpoint at its URL); CDN serves LFS files at
// /lfs/<sha256>.
type Server struct {
	*httptest.Server
	CDN *httptest.Server

	cfg   config
	repos map[string]*repo // by kind/id@revision and kind/id@commit

	mu  sync.Mutex
	log []Request
}

type config struct {
	lfsMin    int
	tokens    map[string]string
	intercept func(http.ResponseWriter, *http.Request) bool
}

// Option changes how the fake Hub behaves.
type Option func(*config)

// LFSThreshold makes files of n bytes or more LFS files, served by a
// redirect to the CDN (default 1024). Files named *.onnx, *.parquet,
// *.safetensors and *.bin are LFS files whatever their size.
func LFSThreshold(n int) Option { return func(c *config) { c.lfsMin = n } }

// Gated makes repo (a key as in NewServer, without "@revision") answer 401
// to requests without "Authorization: Bearer <token>" and 403 to requests
// with another token.
func Gated(repo, token string) Option { return func(c *config) { c.tokens[repo] = token } }

// Intercept lets f answer any request, of the Hub or of the CDN (whose paths
// start with /lfs/), before the fake Hub does; f returns false to let the
// fake Hub answer. Requests are logged either way.
func Intercept(f func(w http.ResponseWriter, r *http.Request) bool) Option {
	return func(c *config) { c.intercept = f }
}

type repo struct {
	commit string
	files  map[string][]byte
}

// NewServer starts a fake Hub serving repos, keyed "org/name" for a model,
// "datasets/org/name" for a dataset, each at revision "main"; append
// "@revision" to a key for another branch (e.g.
// "datasets/org/name@refs/convert/parquet"). Each revision gets a commit
// hash of its own, under which it is served too. Both servers stop when the
// test ends.
func NewServer(t testing.TB, repos map[string]map[string][]byte, opts ...Option) *Server {
	t.Helper()
	s := &Server{cfg: config{lfsMin: 1024, tokens: map[string]string{}}, repos: map[string]*repo{}}
	for _, o := range opts {
		o(&s.cfg)
	}
	for key, files := range repos {
		id, rev, ok := strings.Cut(key, "@")
		if !ok {
			rev = "main"
		}
		r := &repo{commit: commitOf(key, files), files: files}
		s.repos[id+"@"+rev] = r
		s.repos[id+"@"+r.commit] = r
	}
	s.CDN = httptest.NewServer(http.HandlerFunc(s.serveCDN))
	s.Server = httptest.NewServer(http.HandlerFunc(s.serveHub))
	t.Cleanup(s.Close)
	return s
}

// Close stops the Hub and its CDN.
func (s *Server) Close() {
	s.Server.Close()
	s.CDN.Close()
}

// Commit is the commit hash of key ("org/name", "datasets/org/name@rev").
func (s *Server) Commit(key string) string {
	id, rev, ok := strings.Cut(key, "@")
	if !ok {
		rev = "main"
	}
	if r := s.repos[id+"@"+rev]; r != nil {
		return r.commit
	}
	return ""
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// GitBlobSHA1 is the ETag the Hub gives a file kept in git: the git blob id.
func GitBlobSHA1(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// SHA256 is the ETag the Hub gives an LFS file: its LFS object id.
func SHA256(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// IsLFS reports whether the server keeps a file of this name and size in LFS.
func (s *Server) IsLFS(name string, size int) bool {
	for _, ext := range []string{".onnx", ".parquet", ".safetensors", ".bin"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return size >= s.cfg.lfsMin
}

// ETag is the blob name the Hub's headers give a file of this name and content.
func (s *Server) ETag(name string, content []byte) string {
	if s.IsLFS(name, len(content)) {
		return SHA256(content)
	}
	return GitBlobSHA1(content)
}

func commitOf(key string, files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha1.New()
	fmt.Fprintf(h, "%s\n", key)
	for _, n := range names {
		fmt.Fprintf(h, "%s %s\n", n, GitBlobSHA1(files[n]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// record logs r and offers it to the interceptor, reporting whether that
// answered it.
func (s *Server) record(server string, w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	s.log = append(s.log, Request{Server: server, Method: r.Method, Path: r.URL.Path,
		Range: r.Header.Get("Range"), Authorization: r.Header.Get("Authorization")})
	s.mu.Unlock()
	return s.cfg.intercept != nil && s.cfg.intercept(w, r)
}

// serveCDN answers GET /lfs/<sha256> with the content of that LFS object.
func (s *Server) serveCDN(w http.ResponseWriter, r *http.Request) {
	if s.record("cdn", w, r) {
		return
	}
	oid, ok := strings.CutPrefix(r.URL.Path, "/lfs/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	for _, rp := range s.repos {
		for name, content := range rp.files {
			if SHA256(content) == oid {
				w.Header().Set("ETag", `"`+oid+`"`)
				http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(content))
				return
			}
		}
	}
	http.NotFound(w, r)
}

// serveHub answers the info API and resolve URLs.
func (s *Server) serveHub(w http.ResponseWriter, r *http.Request) {
	if s.record("hub", w, r) {
		return
	}
	p := r.URL.EscapedPath()
	if rest, ok := strings.CutPrefix(p, "/api/"); ok {
		s.serveInfo(w, r, rest)
		return
	}
	before, after, ok := strings.Cut(p, "/resolve/")
	if !ok {
		hubError(w, http.StatusNotFound, "RepoNotFound", "no such page")
		return
	}
	revEsc, fileEsc, _ := strings.Cut(after, "/")
	id, _ := url.PathUnescape(strings.TrimPrefix(before, "/"))
	rev, _ := url.PathUnescape(revEsc)
	file, _ := url.PathUnescape(fileEsc)
	rp, ok := s.lookup(w, r, id, rev)
	if !ok {
		return
	}
	content, ok := rp.files[file]
	w.Header().Set("X-Repo-Commit", rp.commit)
	if !ok {
		hubError(w, http.StatusNotFound, "EntryNotFound", fmt.Sprintf("%s does not exist on %q", file, rev))
		return
	}
	if s.IsLFS(file, len(content)) {
		oid := SHA256(content)
		w.Header().Set("X-Linked-Etag", `"`+oid+`"`)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(content)))
		w.Header().Set("ETag", `"`+GitBlobSHA1([]byte("version https://git-lfs.github.com/spec/v1\noid sha256:"+oid+"\n"))+`"`)
		w.Header().Set("Location", s.CDN.URL+"/lfs/"+oid)
		w.WriteHeader(http.StatusFound)
		return
	}
	w.Header().Set("ETag", `"`+GitBlobSHA1(content)+`"`)
	http.ServeContent(w, r, file, time.Time{}, bytes.NewReader(content))
}

// serveInfo answers GET /api/{models,datasets}/{id}/revision/{rev}.
func (s *Server) serveInfo(w http.ResponseWriter, r *http.Request, rest string) {
	kind, rest, _ := strings.Cut(rest, "/")
	idEsc, revEsc, ok := strings.Cut(rest, "/revision/")
	if !ok {
		idEsc, revEsc = rest, "main"
	}
	id, _ := url.PathUnescape(idEsc)
	rev, _ := url.PathUnescape(revEsc)
	switch kind {
	case "models":
	case "datasets":
		id = "datasets/" + id
	default:
		hubError(w, http.StatusNotFound, "RepoNotFound", "unknown repository kind "+kind)
		return
	}
	rp, ok := s.lookup(w, r, id, rev)
	if !ok {
		return
	}
	names := make([]string, 0, len(rp.files))
	for n := range rp.files {
		names = append(names, n)
	}
	sort.Strings(names)
	type sibling struct {
		RFilename string `json:"rfilename"`
	}
	info := struct {
		ID       string    `json:"id"`
		SHA      string    `json:"sha"`
		Siblings []sibling `json:"siblings"`
	}{ID: strings.TrimPrefix(id, "datasets/"), SHA: rp.commit}
	for _, n := range names {
		info.Siblings = append(info.Siblings, sibling{n})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(info)
}

// lookup finds repository id at rev, checking its token; it answers the
// request itself when it fails.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request, id, rev string) (*repo, bool) {
	if token, gated := s.cfg.tokens[id]; gated {
		switch r.Header.Get("Authorization") {
		case "Bearer " + token:
		case "":
			hubError(w, http.StatusUnauthorized, "GatedRepo", "Access to "+id+" is restricted. You must be authenticated to access it.")
			return nil, false
		default:
			hubError(w, http.StatusForbidden, "GatedRepo", "Access to "+id+" is restricted and you are not in the authorized list.")
			return nil, false
		}
	}
	if rp := s.repos[id+"@"+rev]; rp != nil {
		return rp, true
	}
	for k := range s.repos {
		if strings.HasPrefix(k, id+"@") {
			hubError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+rev)
			return nil, false
		}
	}
	hubError(w, http.StatusNotFound, "RepoNotFound", "Repository not found")
	return nil, false
}

func hubError(w http.ResponseWriter, code int, errCode, msg string) {
	w.Header().Set("X-Error-Code", errCode)
	w.Header().Set("X-Error-Message", msg)
	http.Error(w, msg, code)
}
