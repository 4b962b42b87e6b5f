package pypitest

import (
	"net/url"
	"os"
	"path/filepath"
)

// WriteMirror writes the index as a file:// mirror under dir, laid out like
// the URL paths, with the APIs of the server's mode: pypi/<name>/json and
// pypi/<name>/<version>/json (the JSON API), simple/<name>/index.json
// (PEP 691) and simple/<name>/index.html (PEP 503), and files/<filename>
// (+ .metadata), with file:// URLs pointing into dir.
func (s *Server) WriteMirror(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	filesBase := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(abs, "files"))}).String()
	for _, p := range s.projects {
		if err := s.writeProject(abs, filesBase, p); err != nil {
			return err
		}
	}
	for name, f := range s.files {
		if !s.served(f) {
			continue
		}
		if err := writeFile(filepath.Join(abs, "files", name), f.content); err != nil {
			return err
		}
		if f.metadata != nil {
			if err := writeFile(filepath.Join(abs, "files", name+".metadata"), f.metadata); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeProject writes one project's documents.
func (s *Server) writeProject(dir, filesBase string, p *project) error {
	if s.mode.hasJSON() && !p.quarantined() && len(p.releases) > 0 {
		if err := writeJSONAPI(dir, filesBase, p, s.mode != ModeJSONNoReleases); err != nil {
			return err
		}
	}
	if !s.mode.hasSimple() {
		return nil
	}
	page := filepath.Join(dir, "simple", p.name)
	if err := writeFile(filepath.Join(page, "index.html"), p.simpleHTML("../../files/")); err != nil || s.mode == ModeSimpleHTML {
		return err
	}
	simple, err := p.simpleDoc("../../files/")
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(page, "index.json"), simple)
}

// writeJSONAPI writes a project's JSON API documents.
func writeJSONAPI(dir, filesBase string, p *project, withReleases bool) error {
	doc, err := p.projectDoc(filesBase, withReleases)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, "pypi", p.name, "json"), doc); err != nil {
		return err
	}
	for _, r := range p.releases {
		doc, err := p.versionDoc(r, filesBase)
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, "pypi", p.name, r.Version, "json"), doc); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, body []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, body, 0o644)
}
