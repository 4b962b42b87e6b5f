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
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 3 && parts[0] == "pypi" && parts[2] == "json":
		return s.projectJSON(parts[1])
	case len(parts) == 4 && parts[0] == "pypi" && parts[3] == "json":
		return s.versionJSON(parts[1], parts[2])
	case len(parts) == 2 && parts[0] == "simple":
		return s.simplePage(parts[1], r.Header.Get("Accept"))
	case len(parts) == 2 && parts[0] == "files":
		return s.fileBody(parts[1])
	}
	return nil, "", http.StatusNotFound
}

// rendered turns a render result into a route result.
func rendered(body []byte, err error, contentType string) ([]byte, string, int) {
	if err != nil {
		return nil, "", http.StatusInternalServerError
	}
	return body, contentType, http.StatusOK
}

func (s *Server) projectJSON(name string) ([]byte, string, int) {
	p := s.projects[normalize(name)]
	if p == nil {
		return nil, "", http.StatusNotFound
	}
	body, err := p.projectDoc(s.URL + "/files")
	return rendered(body, err, "application/json")
}

func (s *Server) versionJSON(name, key string) ([]byte, string, int) {
	p := s.projects[normalize(name)]
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

// simplePage serves PEP 691 JSON when asked for it, else a PEP 503 HTML
// page.
func (s *Server) simplePage(name, accept string) ([]byte, string, int) {
	p := s.projects[normalize(name)]
	if p == nil {
		return nil, "", http.StatusNotFound
	}
	if strings.Contains(accept, simpleJSON) {
		body, err := p.simpleDoc("../../files/")
		return rendered(body, err, simpleJSON)
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><body>\n")
	for _, rel := range p.releases {
		for _, f := range p.files[rel.Version] {
			b.WriteString(`<a href="../../files/` + f.name + `#sha256=` + f.sha256 + `">` + f.name + "</a><br/>\n")
		}
	}
	b.WriteString("</body></html>\n")
	return []byte(b.String()), "text/html", http.StatusOK
}

// fileBody serves a release file or its PEP 658 .metadata.
func (s *Server) fileBody(name string) ([]byte, string, int) {
	if f, ok := s.files[name]; ok {
		return f.content, "application/octet-stream", http.StatusOK
	}
	if base, ok := strings.CutSuffix(name, ".metadata"); ok {
		if f, ok := s.files[base]; ok && f.metadata != nil {
			return f.metadata, "text/plain", http.StatusOK
		}
	}
	return nil, "", http.StatusNotFound
}
