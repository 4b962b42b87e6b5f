// Package pypitest is a fake Python package index for tests: a real
// net/http/httptest server speaking the PyPI JSON API (project and version
// documents), the Simple API (PEP 503 HTML and PEP 691 JSON, with PEP 700's
// versions, size and upload-time, PEP 658/714 core metadata and PEP 792
// project status), and serving the release files, with injected latency,
// scripted faults (statuses, Retry-After, connection resets, stalls,
// truncated or malformed bodies), gzip, ETags, basic auth and request
// counters. Its Mode chooses which of these APIs it offers, as indexes in
// the wild differ. WriteMirror writes the same index as a file:// mirror.
package pypitest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is a scripted misbehaviour for one request. Fields combine: Delay
// first, then the first of Reset, Status, Body, Truncate that is set; a
// Fault with only Delay set is a slow but correct response.
type Fault struct {
	Delay      time.Duration // wait this long first (cut short when the client goes away)
	Reset      bool          // close the connection without a response
	Status     int           // reply with this status and a short body
	RetryAfter string        // Retry-After header sent with Status
	Body       []byte        // reply 200 with this body instead of the real one (malformed JSON, ...)
	Truncate   bool          // announce the full Content-Length, send half the body, drop the connection
}

// Mode is the set of APIs a Server offers.
type Mode int

const (
	// ModeJSON is PyPI today: the JSON API with the deprecated "releases"
	// key, and the Simple API (PEP 691 JSON and HTML) with .metadata files.
	ModeJSON Mode = iota
	// ModeJSONNoReleases is PyPI once it drops "releases": project
	// documents without it, version documents, and the Simple API.
	ModeJSONNoReleases
	// ModeSimple is an index with the Simple API only (JSON and HTML) and
	// .metadata files: devpi, Artifactory, GitLab, proxies.
	ModeSimple
	// ModeSimpleHTML is an index with PEP 503 HTML pages only (with
	// data-* attributes): static indexes such as PyTorch's.
	ModeSimpleHTML
	// ModeJSONOnly is an old mirror with the JSON API (with "releases")
	// and no Simple API.
	ModeJSONOnly
)

func (m Mode) hasJSON() bool   { return m == ModeJSON || m == ModeJSONNoReleases || m == ModeJSONOnly }
func (m Mode) hasSimple() bool { return m != ModeJSONOnly }

// String names the mode (test names).
func (m Mode) String() string {
	return [...]string{"json", "json-no-releases", "simple", "simple-html", "json-only"}[m]
}

// Server is a running fake index. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's base ("http://127.0.0.1:PORT"): the JSON API is
	// at URL/pypi/<name>/json, the Simple API at URL/simple/<name>/ (see
	// ServeSimpleAt), files at URL/files/<filename>. IndexURL is the URL an
	// installer is given.
	URL string

	srv        *httptest.Server
	mu         sync.Mutex
	projects   map[string]*project // by normalised name
	files      map[string]file     // by file name
	faults     map[string][]Fault  // by request path
	counts     map[string]int      // by request path
	pages      map[string]page     // rendered responses by path and Accept, until the next Add
	adds       int                 // number of Add calls, so that a page rendered before one is not kept
	latency    time.Duration
	user       string
	pass       string
	mode       Mode
	simpleRoot string // path of the Simple API root, without a trailing slash

	requests    atomic.Int64
	notModified atomic.Int64
	bodyBytes   atomic.Int64
	active      atomic.Int64 // requests being handled now
	maxActive   atomic.Int64 // most requests handled at once
}

// NewServer starts a server holding releases; it is closed when the test
// ends.
func NewServer(t testing.TB, releases ...Release) *Server {
	t.Helper()
	s := &Server{projects: map[string]*project{}, files: map[string]file{}, faults: map[string][]Fault{}, counts: map[string]int{}, pages: map[string]page{}, simpleRoot: "/simple"}
	if err := s.Add(releases...); err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Close shuts the server down; later requests fail to connect.
func (s *Server) Close() { s.srv.Close() }

// Add adds releases (building their files). Adding a release key twice
// replaces it.
func (s *Server) Add(releases ...Release) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.pages)
	s.adds++
	for _, r := range releases {
		if err := s.addLocked(r); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) addLocked(r Release) error {
	if r.Name == "" || r.Version == "" {
		return fmt.Errorf("pypitest: release needs Name and Version: %+v", r)
	}
	files, err := r.buildFiles()
	if err != nil {
		return err
	}
	norm := normalize(r.Name)
	p := s.projects[norm]
	if p == nil {
		p = &project{name: norm, files: map[string][]file{}}
		s.projects[norm] = p
	}
	if _, dup := p.files[r.Version]; dup {
		for i := range p.releases {
			if p.releases[i].Version == r.Version {
				p.releases = append(p.releases[:i], p.releases[i+1:]...)
				break
			}
		}
	}
	p.releases = append(p.releases, r)
	p.files[r.Version] = files
	for _, f := range files {
		f.project = norm
		s.files[f.name] = f
	}
	return nil
}

// SetMode chooses the APIs the server offers (default ModeJSON).
func (s *Server) SetMode(m Mode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode = m
	clear(s.pages)
	s.adds++
}

// SetStatus sets a project's PEP 792 status. A quarantined project's
// Simple API page lists no files, its JSON API documents and files answer
// 404 (as PyPI does).
func (s *Server) SetStatus(name string, st Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	norm := normalize(name)
	p := s.projects[norm]
	if p == nil {
		p = &project{name: norm, files: map[string][]file{}}
		s.projects[norm] = p
	}
	p.status = st
	clear(s.pages)
	s.adds++
}

// ServeSimpleAt moves the Simple API root to path (default "/simple"),
// such as "/whl/cpu" (PyTorch) or "/root/pypi/+simple" (devpi).
func (s *Server) ServeSimpleAt(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.simpleRoot = strings.TrimSuffix(path, "/")
	clear(s.pages)
	s.adds++
}

// IndexURL is the Simple API root: the URL to give an installer.
func (s *Server) IndexURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.URL + s.simpleRoot
}

// SetLatency delays every response by d (simulating a distant index).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// RequireAuth makes every request need HTTP basic auth with user and pass.
func (s *Server) RequireAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass = user, pass
}

// Inject queues faults for requests to path (e.g. "/pypi/flask/json"):
// each request consumes the next one; once they run out, requests are
// served normally.
func (s *Server) Inject(path string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], faults...)
}

// Count is the number of requests made to path so far.
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// Counts is the number of requests so far to each path requested.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

// Requests is the total number of requests so far.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// NotModified is the number of 304 responses so far.
func (s *Server) NotModified() int { return int(s.notModified.Load()) }

// BodyBytes is the number of response body bytes sent so far.
func (s *Server) BodyBytes() int64 { return s.bodyBytes.Load() }

// FileURL is the URL of a release file served by s.
func (s *Server) FileURL(filename string) string { return s.URL + "/files/" + filename }

// FileSHA256 is the hex sha256 of a release file ("" when unknown).
func (s *Server) FileSHA256(filename string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files[filename].sha256
}

// Filenames lists the files of a release, sdist first.
func (s *Server) Filenames(name, version string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projects[normalize(name)]
	if p == nil {
		return nil
	}
	var names []string
	for _, f := range p.files[version] {
		names = append(names, f.name)
	}
	return names
}

// serve is the HTTP handler: latency, accounting, auth, faults, routing.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.enter()
	defer s.active.Add(-1)
	latency, fault, authOK := s.begin(r)
	if !sleep(r, latency) {
		return
	}
	if !authOK {
		w.Header().Set("WWW-Authenticate", `Basic realm="pypitest"`)
		http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
		return
	}
	if fault != nil && s.misbehave(w, r, *fault) {
		return
	}
	pg := s.render(r)
	if pg.status != http.StatusOK {
		http.Error(w, http.StatusText(pg.status), pg.status)
		return
	}
	body := pg.body
	if pg.gzipped != nil && acceptsGzip(r) {
		body = pg.gzipped
		w.Header().Set("Content-Encoding", "gzip")
	}
	if pg.gzipped != nil {
		w.Header().Set("Vary", "Accept-Encoding")
	}
	if fault != nil && fault.Truncate {
		s.truncate(w, body)
		return
	}
	s.reply(w, r, pg, body)
}

// acceptsGzip reports whether the request's Accept-Encoding lists gzip.
func acceptsGzip(r *http.Request) bool {
	for _, enc := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(enc), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// gzipped compresses b.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// page is a rendered response.
type page struct {
	body        []byte
	gzipped     []byte // body gzip-compressed, for clients that accept it; nil for files
	contentType string
	status      int
	etag        string
}

// render returns the response to r's path, rendered once per Accept
// header until the next Add: the injected latency, not the fake's own
// rendering of large project documents, should be what clients wait for.
func (s *Server) render(r *http.Request) page {
	key := r.Method + " " + r.URL.Path + "\n" + r.Header.Get("Accept")
	s.mu.Lock()
	pg, ok := s.pages[key]
	adds := s.adds
	s.mu.Unlock()
	if ok {
		return pg
	}
	pg.body, pg.contentType, pg.status = s.route(r)
	if pg.status == http.StatusOK {
		pg.etag = `"` + sha256hex(pg.body)[:20] + `"`
		if pg.contentType != "application/octet-stream" { // documents, as PyPI compresses them
			pg.gzipped = gzipped(pg.body)
		}
	}
	s.mu.Lock()
	if s.adds == adds {
		s.pages[key] = pg
	}
	s.mu.Unlock()
	return pg
}

// enter counts a request in progress and records the peak.
func (s *Server) enter() {
	n := s.active.Add(1)
	for {
		peak := s.maxActive.Load()
		if n <= peak || s.maxActive.CompareAndSwap(peak, n) {
			return
		}
	}
}

// MaxConcurrent is the largest number of requests handled at once so far.
func (s *Server) MaxConcurrent() int { return int(s.maxActive.Load()) }

// begin counts the request and takes its fault, under the lock.
func (s *Server) begin(r *http.Request) (time.Duration, *Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[r.URL.Path]++
	var fault *Fault
	if q := s.faults[r.URL.Path]; len(q) > 0 {
		fault, s.faults[r.URL.Path] = &q[0], q[1:]
	}
	authOK := true
	if s.user != "" || s.pass != "" {
		u, p, ok := r.BasicAuth()
		authOK = ok && u == s.user && p == s.pass
	}
	return s.latency, fault, authOK
}

// sleep waits d unless the client goes away first (then false).
func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// misbehave applies a fault; true when the response has been dealt with.
func (s *Server) misbehave(w http.ResponseWriter, r *http.Request, f Fault) bool {
	if !sleep(r, f.Delay) {
		return true
	}
	switch {
	case f.Reset:
		resetConnection(w)
		return true
	case f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		http.Error(w, fmt.Sprintf("%d injected by pypitest", f.Status), f.Status)
		return true
	case f.Body != nil:
		s.write(w, f.Body)
		return true
	}
	return false
}

// resetConnection closes the client connection abruptly (TCP RST).
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// truncate announces body's length, sends half of it and drops the
// connection.
func (s *Server) truncate(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	s.write(w, body[:len(body)/2])
	http.NewResponseController(w).Flush()
	panic(http.ErrAbortHandler)
}

// reply sends body (pg's, possibly compressed) with an ETag, or 304 when
// the client has it already.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, pg page, body []byte) {
	w.Header().Set("ETag", pg.etag)
	if pg.contentType != "" {
		w.Header().Set("Content-Type", pg.contentType)
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, pg.etag) {
		s.notModified.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	s.write(w, body)
}

func (s *Server) write(w http.ResponseWriter, body []byte) {
	n, _ := w.Write(body)
	s.bodyBytes.Add(int64(n))
}
