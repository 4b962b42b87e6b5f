package pypitest

import (
	"net/http"
	"strings"
)

// simpleJSON is the PEP 691 content type.
const simpleJSON = "application/vnd.pypi.simple.v1+json"

// route renders the document at r's path: body, content type, status.
func (s *Server) route(r *http.Request) ([]byte, string, int) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return nil, "", http.StatusMethodNotAllowed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if name, ok := s.simpleProject(r.URL.Path); ok {
		return s.simplePage(name, r.Header.Get("Accept"))
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 3 && parts[0] == "pypi" && parts[2] == "json" && s.mode.hasJSON():
		return s.projectJSON(parts[1])
	case len(parts) == 4 && parts[0] == "pypi" && parts[3] == "json" && s.mode.hasJSON():
		return s.versionJSON(parts[1], parts[2])
	case len(parts) == 2 && parts[0] == "files":
		return s.fileBody(parts[1])
	}
	return nil, "", http.StatusNotFound
}

// simpleProject reports the project whose Simple API page path is, when
// the mode serves one: <simple root>/<name>/.
func (s *Server) simpleProject(path string) (string, bool) {
	if !s.mode.hasSimple() {
		return "", false
	}
	rest, ok := strings.CutPrefix(path, s.simpleRoot+"/")
	if !ok || strings.Count(strings.TrimSuffix(rest, "/"), "/") > 0 || strings.Trim(rest, "/") == "" {
		return "", false
	}
	return strings.Trim(rest, "/"), true
}

// rendered turns a render result into a route result.
func rendered(body []byte, err error, contentType string) ([]byte, string, int) {
	if err != nil {
		return nil, "", http.StatusInternalServerError
	}
	return body, contentType, http.StatusOK
}

// servedProject is the project for the JSON API: none for a quarantined
// one (PyPI's JSON API answers 404 for them).
func (s *Server) servedProject(name string) *project {
	p := s.projects[normalize(name)]
	if p == nil || p.quarantined() || len(p.releases) == 0 {
		return nil
	}
	return p
}

func (s *Server) projectJSON(name string) ([]byte, string, int) {
	p := s.servedProject(name)
	if p == nil {
		return nil, "", http.StatusNotFound
	}
	body, err := p.projectDoc(s.URL+"/files", s.mode == ModeJSON || s.mode == ModeJSONOnly)
	return rendered(body, err, "application/json")
}

func (s *Server) versionJSON(name, key string) ([]byte, string, int) {
	p := s.servedProject(name)
	if p == nil {
		return nil, "", http.StatusNotFound
	}
	rel, ok := p.release(key)
	if !ok {
		return nil, "", http.StatusNotFound
	}
	body, err := p.versionDoc(rel, s.URL+"/files")
	return rendered(body, err, "application/json")
}

// simplePage serves PEP 691 JSON when asked for it (and the mode has it),
// else a PEP 503 HTML page.
func (s *Server) simplePage(name, accept string) ([]byte, string, int) {
	p := s.projects[normalize(name)]
	if p == nil {
		return nil, "", http.StatusNotFound
	}
	base := s.relativeFiles()
	if strings.Contains(accept, simpleJSON) && s.mode != ModeSimpleHTML {
		body, err := p.simpleDoc(base)
		return rendered(body, err, simpleJSON)
	}
	return p.simpleHTML(base), "text/html", http.StatusOK
}

// relativeFiles is the URL of the files directory relative to a project
// page (<simple root>/<name>/): as many "../" as the page is deep.
func (s *Server) relativeFiles() string {
	return strings.Repeat("../", strings.Count(s.simpleRoot, "/")+1) + "files/"
}

// fileBody serves a release file or its PEP 658 .metadata.
func (s *Server) fileBody(name string) ([]byte, string, int) {
	if f, ok := s.files[name]; ok && s.served(f) {
		return f.content, "application/octet-stream", http.StatusOK
	}
	if base, ok := strings.CutSuffix(name, ".metadata"); ok {
		if f, ok := s.files[base]; ok && f.metadata != nil && s.served(f) {
			return f.metadata, "text/plain", http.StatusOK
		}
	}
	return nil, "", http.StatusNotFound
}

// served reports whether the index offers file f: not when its project is
// quarantined (PEP 792).
func (s *Server) served(f file) bool {
	p := s.projects[f.project]
	return p == nil || !p.quarantined()
}
