package pypi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/req2nix/req2nix/pypi/pypitest"
)

// projectDocs are the documents a project's fetch reads in each mode.
var projectDocs = map[pypitest.Mode][]string{
	pypitest.ModeJSON:           {"/simple/flask/", "/pypi/flask/json"},
	pypitest.ModeJSONNoReleases: {"/simple/flask/", "/pypi/flask/json"},
	pypitest.ModeSimple:         {"/simple/flask/"},
	pypitest.ModeJSONOnly:       {"/pypi/flask/json"},
}

// TestFaults injects each fault into every document a project's fetch
// reads, in each mode: transient faults are survived by retrying, and
// lasting ones are reported naming the document (the Simple API page
// where the index has one, it being what the project comes from).
func TestFaults(t *testing.T) {
	tests := []struct {
		name         string
		faults       []pypitest.Fault
		timeout      time.Duration
		wantErr      []string // substrings of the error (PATH: the page or document); nil = success
		simpleErr    []string // wantErr when the Simple API page is reported, if different
		wantRequests int      // requests to each document
		minElapsed   time.Duration
	}{
		{name: "500 then 200", faults: []pypitest.Fault{{Status: 500}}, wantRequests: 2},
		{name: "502, 503, 504 then 200", faults: []pypitest.Fault{{Status: 502}, {Status: 503}, {Status: 504}}, wantRequests: 4},
		{name: "429 with Retry-After seconds", faults: []pypitest.Fault{{Status: 429, RetryAfter: "1"}}, wantRequests: 2, minElapsed: time.Second},
		{name: "503 with Retry-After date", faults: []pypitest.Fault{{Status: 503, RetryAfter: "DATE+3s"}}, wantRequests: 2, minElapsed: time.Second},
		{name: "429 asking to wait past the deadline", faults: []pypitest.Fault{{Status: 429, RetryAfter: "3600"}},
			wantErr: []string{"GET URLPATH", "HTTP 429 after 1 attempt: the index asks to wait 1h0m0s, beyond the deadline"}, wantRequests: 1},
		{name: "503 with Retry-After forever", faults: repeat(pypitest.Fault{Status: 503, RetryAfter: "0"}, retryMax+1), wantErr: []string{"GET URLPATH", "HTTP 503 after 6 attempts"}, wantRequests: retryMax + 1},
		{name: "connection reset then 200", faults: []pypitest.Fault{{Reset: true}}, wantRequests: 2},
		{name: "truncated transfer then 200", faults: []pypitest.Fault{{Truncate: true}}, wantRequests: 2},
		{name: "slow response within the deadline", faults: []pypitest.Fault{{Delay: 50 * time.Millisecond}}, wantRequests: 1},
		{name: "slow responses past the deadline", timeout: 300 * time.Millisecond,
			faults:  []pypitest.Fault{{Delay: time.Second}, {Delay: time.Second}, {Delay: time.Second}},
			wantErr: []string{"GET URLPATH", "no complete response", "within 300ms", "attempt"}, wantRequests: -1},
		{name: "truncated JSON is malformed, not retried", faults: []pypitest.Fault{{Body: []byte(`{"info": {"name": "flask"}, "releases": {"1.0": [`)}},
			wantErr: []string{"GET URLPATH", "malformed document", "unexpected end of JSON"}, wantRequests: 1},
		{name: "not a document at all", faults: []pypitest.Fault{{Body: []byte(`<html>maintenance</html>`)}},
			wantErr:   []string{"GET URLPATH", "malformed document: an HTML page, not JSON; check that the index address serves the PyPI JSON API"},
			simpleErr: []string{"GET URLPATH", "malformed document: an HTML page with no file links and no pypi:repository-version, not a Simple API project page"}, wantRequests: 1},
		{name: "404 is final", faults: []pypitest.Fault{{Status: 404}}, wantErr: []string{`package "flask" not found on INDEX`}, wantRequests: 1},
		{name: "403 is final", faults: []pypitest.Fault{{Status: 403}}, wantErr: []string{"GET URLPATH", "HTTP 403", "the index wants credentials"}, wantRequests: 1},
		{name: "500 forever", faults: repeat(pypitest.Fault{Status: 500}, retryMax+1), wantErr: []string{"GET URLPATH", "HTTP 500 after 6 attempts"}, wantRequests: retryMax + 1},
		{name: "resets forever", faults: repeat(pypitest.Fault{Reset: true}, retryMax+1), wantErr: []string{"GET URLPATH", "cannot reach 127.0.0.1:", "after 6 attempts"}, wantRequests: retryMax + 1},
	}
	for _, mode := range []pypitest.Mode{pypitest.ModeJSON, pypitest.ModeJSONNoReleases, pypitest.ModeSimple, pypitest.ModeJSONOnly} {
		for _, tt := range tests {
			t.Run(mode.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				s := pypitest.NewServer(t, sampleReleases()...)
				s.SetMode(mode)
				docs := projectDocs[mode]
				for _, path := range docs {
					s.Inject(path, withRetryDates(tt.faults)...)
				}
				c := testClient(t, s, Options{IndexURL: s.IndexURL(), Timeout: tt.timeout})
				start := time.Now()
				p, err := c.Project(context.Background(), "flask")
				elapsed := time.Since(start)
				if tt.wantErr == nil {
					if err != nil || len(p.Releases) != 4 {
						t.Fatalf("got %v, %v; want the project", p, err)
					}
				} else {
					want := tt.wantErr
					if tt.simpleErr != nil && docs[0] == "/simple/flask/" {
						want = tt.simpleErr
					}
					replacer := strings.NewReplacer("URL", s.URL, "PATH", docs[0], "INDEX", s.IndexURL())
					var parts []string
					for _, w := range want {
						parts = append(parts, replacer.Replace(w))
					}
					errorContains(t, err, parts...)
				}
				for _, path := range docs {
					if got := s.Count(path); tt.wantRequests >= 0 && got != tt.wantRequests {
						t.Errorf("%d requests to %s, want %d", got, path, tt.wantRequests)
					}
				}
				if elapsed < tt.minElapsed {
					t.Errorf("returned after %v, want at least %v (Retry-After)", elapsed, tt.minElapsed)
				}
				want := int64(len(docs) * (tt.wantRequests - 1))
				// net/http itself retries a GET whose reused connection was
				// reset before any response, unseen by the client's count.
				transportRetries := tt.faults[0].Reset
				if st := c.Stats(); tt.wantRequests > 0 && (st.Retries > want || st.Retries < want && !transportRetries) {
					t.Errorf("Stats.Retries = %d, want %d", st.Retries, want)
				}
			})
		}
	}
}

// withRetryDates copies faults, making "DATE+3s" an HTTP date (one-second
// resolution, so 2 to 3 s ahead).
func withRetryDates(faults []pypitest.Fault) []pypitest.Fault {
	out := append([]pypitest.Fault(nil), faults...)
	for i, f := range out {
		if f.RetryAfter == "DATE+3s" {
			out[i].RetryAfter = time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
		}
	}
	return out
}

// TestMetadataFaults: the document an older release's metadata comes from
// (its .metadata file, or the version document without the Simple API)
// survives transient faults in every mode.
func TestMetadataFaults(t *testing.T) {
	docs := map[pypitest.Mode]string{
		pypitest.ModeJSON:           "/files/flask-1.0-py3-none-any.whl.metadata",
		pypitest.ModeJSONNoReleases: "/files/flask-1.0-py3-none-any.whl.metadata",
		pypitest.ModeSimple:         "/files/flask-1.0-py3-none-any.whl.metadata",
		pypitest.ModeSimpleHTML:     "/files/flask-1.0-py3-none-any.whl.metadata",
		pypitest.ModeJSONOnly:       "/pypi/flask/1.0/json",
	}
	faults := map[string]pypitest.Fault{
		"500": {Status: 500}, "429": {Status: 429, RetryAfter: "0"}, "reset": {Reset: true}, "truncated": {Truncate: true},
	}
	for mode, path := range docs {
		for name, fault := range faults {
			t.Run(mode.String()+"/"+name, func(t *testing.T) {
				t.Parallel()
				s := pypitest.NewServer(t, sampleReleases()...)
				s.SetMode(mode)
				c := testClient(t, s, Options{IndexURL: s.IndexURL()})
				r := release(t, mustProject(t, c, "flask"), "1.0")
				s.Inject(path, fault)
				m, err := c.Metadata(context.Background(), "flask", r)
				if err != nil || len(m.RequiresDist) != 2 {
					t.Fatalf("Metadata = %+v, %v", m, err)
				}
				if got := s.Count(path); got != 2 {
					t.Errorf("%d requests to %s, want 2", got, path)
				}
			})
		}
	}
}

func repeat(f pypitest.Fault, n int) []pypitest.Fault {
	out := make([]pypitest.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

func TestMalformedBodyNotCached(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	s.Inject("/pypi/flask/json", pypitest.Fault{Body: []byte(`{"releases": `)})
	s.Inject("/simple/flask/", pypitest.Fault{Body: []byte(`{"files": `)})
	c := testClient(t, s, Options{})
	if _, err := c.Project(context.Background(), "flask"); err == nil {
		t.Fatal("malformed body accepted")
	}
	if files := cacheFiles(t, c.cache.dir); len(files) != 0 {
		t.Errorf("malformed body cached: %v", files)
	}
	// Transient failures are not memoised: the same client tries again.
	if p, err := c.Project(context.Background(), "flask"); err != nil || len(p.Releases) != 4 {
		t.Errorf("second try: %v, %v", p, err)
	}
}

func TestUnreachable(t *testing.T) {
	s := pypitest.NewServer(t)
	c := testClient(t, s, Options{Timeout: 2 * time.Second})
	s.Close()
	_, err := c.Project(context.Background(), "flask")
	errorContains(t, err, "cannot reach 127.0.0.1:", "after 6 attempts", "connection refused")
}

func TestCancel(t *testing.T) {
	s := pypitest.NewServer(t, sampleReleases()...)
	s.SetLatency(10 * time.Second)
	c := testClient(t, s, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Project(ctx, "flask")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancellation took %v", d)
	}
	if files := append(cacheFiles(t, c.cache.dir), tempFiles(t, c.cache.dir)...); len(files) > 0 {
		t.Errorf("a cancelled fetch left files: %v", files)
	}
}
