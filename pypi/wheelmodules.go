package pypi

import (
	"archive/zip"
	"context"
	"fmt"
	"slices"
	"strings"
)

// WheelTopLevel downloads the wheel f (see Download) and returns the
// top-level modules it installs, sorted: the names of its
// .dist-info/top_level.txt that the wheel really ships, else every
// top-level package directory and module file it holds (what its RECORD
// lists). .dist-info and .data directories and .pth files are not modules.
func (c *Client) WheelTopLevel(ctx context.Context, f File) ([]string, error) {
	if name := f.name(); !strings.HasSuffix(strings.ToLower(name), ".whl") {
		return nil, fmt.Errorf("%s: not a wheel", name)
	}
	return c.readFile(ctx, f, readWheelTopLevel)
}

// name is the file's name: Filename, else the last segment of its URL.
func (f File) name() string {
	if f.Filename != "" {
		return f.Filename
	}
	return fileNameOf(f.URL)
}

// readFile downloads f (see Download) and reads from it with read, given
// the local path and the file's name.
func (c *Client) readFile(ctx context.Context, f File, read func(path, name string) ([]string, error)) ([]string, error) {
	done, err := c.enter() // it reads the cached file on the caller's goroutine
	if err != nil {
		return nil, err
	}
	defer done()
	p, err := c.Download(ctx, f.URL, f.SHA256)
	if err != nil {
		return nil, err
	}
	return read(p, f.name())
}

// readWheelTopLevel reads the top-level modules of the wheel at p.
func readWheelTopLevel(p, name string) ([]string, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("%s: not a zip file: %v", name, err)
	}
	defer zr.Close()
	shipped := map[string]bool{}
	var topLevel []string
	for _, f := range zr.File {
		path := memberPath(f.Name)
		first, rest, inDir := strings.Cut(path, "/")
		switch {
		case inDir && strings.HasSuffix(first, ".dist-info") && rest == "top_level.txt":
			body, err := readZipFile(f, name)
			if err != nil {
				return nil, err
			}
			topLevel = strings.Fields(string(body))
		case inDir && rest != "" && !strings.HasSuffix(first, ".dist-info") && !strings.HasSuffix(first, ".data"):
			shipped[first] = true
		case !inDir:
			if m, ok := moduleOfFile(first); ok {
				shipped[m] = true
			}
		}
	}
	var out []string
	for _, m := range topLevel {
		if shipped[m] {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		for m := range shipped {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// moduleOfFile is the module a top-level file of a wheel installs: foo.py,
// or an extension module foo.cpython-312-x86_64-linux-gnu.so, foo.abi3.so,
// foo.pyd.
func moduleOfFile(file string) (string, bool) {
	for _, ext := range []string{".py", ".so", ".pyd"} {
		if stem, ok := strings.CutSuffix(file, ext); ok && stem != "" {
			stem, _, _ = strings.Cut(stem, ".")
			return stem, stem != ""
		}
	}
	return "", false
}
