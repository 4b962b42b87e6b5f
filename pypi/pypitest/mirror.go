package pypitest

import (
	"net/url"
	"os"
	"path/filepath"
)

// WriteMirror writes the index as a file:// mirror under dir, laid out like
// the URL paths: pypi/<name>/json, pypi/<name>/<version>/json,
// simple/<name>/index.v1_json (bandersnatch's PEP 691 file) and
// files/<filename> (+ .metadata), with file:// URLs pointing into dir.
func (s *Server) WriteMirror(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	filesBase := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(abs, "files"))}).String()
	for _, p := range s.projects {
		if err := writeProject(abs, filesBase, p); err != nil {
			return err
		}
	}
	for name, f := range s.files {
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
func writeProject(dir, filesBase string, p *project) error {
	doc, err := p.projectDoc(filesBase)
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
	simple, err := p.simpleDoc("../../files/")
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "simple", p.name, "index.v1_json"), simple)
}

func writeFile(path string, body []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, body, 0o644)
}
