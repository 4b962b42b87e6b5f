package pypi

import (
	"html"
	"net/url"
	"path"
	"strings"
)

// parseSimpleHTML reads a PEP 503 project page: every <a> is a file (its
// text the filename, its href the URL with an optional #<hash>=<digest>),
// with the attributes data-requires-python, data-yanked (PEP 592) and
// data-core-metadata / data-dist-info-metadata (PEP 714 / 658); <base
// href> moves the base URL; PEP 792's status is in
// <meta name="pypi:project-status"> and "pypi:project-status-reason".
// Anything else is ignored, as browsers do, so no page is malformed.
func parseSimpleHTML(body []byte, pageURL *url.URL) *simplePage {
	p := &simplePage{}
	base := pageURL
	for t := (htmlTokenizer{src: string(body)}); ; {
		tag, ok := t.next()
		if !ok {
			return p
		}
		switch tag.name {
		case "base":
			if href, ok := tag.attrs["href"]; ok && base != nil {
				if u, err := base.Parse(strings.TrimSpace(href)); err == nil {
					base = u
				}
			}
		case "meta":
			switch strings.ToLower(tag.attrs["name"]) {
			case "pypi:repository-version":
				p.apiVersion = strings.TrimSpace(tag.attrs["content"])
			case "pypi:project-status":
				p.status = strings.ToLower(strings.TrimSpace(tag.attrs["content"]))
			case "pypi:project-status-reason":
				p.reason = strings.TrimSpace(tag.attrs["content"])
			}
		case "a":
			if f, ok := htmlFile(tag, t.text("a"), base); ok {
				p.files = append(p.files, f)
			}
		}
	}
}

// htmlFile reads one file link; false for an anchor without href.
func htmlFile(tag htmlTag, text string, base *url.URL) (simpleFile, bool) {
	href, ok := tag.attrs["href"]
	if !ok || strings.TrimSpace(href) == "" {
		return simpleFile{}, false
	}
	link, fragment, _ := strings.Cut(resolveLink(base, href), "#")
	f := simpleFile{filename: strings.TrimSpace(text), url: link}
	if f.filename == "" {
		f.filename = linkFilename(link)
	}
	if algo, digest, ok := strings.Cut(fragment, "="); ok && strings.EqualFold(algo, "sha256") {
		f.sha256 = strings.ToLower(digest)
	}
	if rp, ok := tag.attrs["data-requires-python"]; ok {
		f.requiresPython = strings.TrimSpace(rp)
	}
	if reason, ok := tag.attrs["data-yanked"]; ok {
		f.yanked = yankState{yanked: true, reason: strings.TrimSpace(reason)}
	}
	for _, attr := range []string{"data-core-metadata", "data-dist-info-metadata"} {
		if v, ok := tag.attrs[attr]; ok {
			f.metadata = htmlMetadataFlag(v)
			break
		}
	}
	return f, true
}

// htmlMetadataFlag reads a data-core-metadata value: "true" or
// "<hash>=<digest>" (present), anything else absent.
func htmlMetadataFlag(v string) metadataFlag {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "true") {
		return metadataFlag{present: true}
	}
	if algo, digest, ok := strings.Cut(v, "="); ok && algo != "" && digest != "" {
		m := metadataFlag{present: true}
		m.offer(algo, digest)
		return m
	}
	return metadataFlag{}
}

// linkFilename is the last path segment of a link, unescaped.
func linkFilename(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return path.Base(u.Path)
}

// htmlTag is a start tag: lower-case name, attributes with entities
// decoded (the first of repeated attributes wins, as in HTML).
type htmlTag struct {
	name  string
	attrs map[string]string
}

// htmlTokenizer finds the start tags of an HTML document, skipping
// comments, end tags and doctype declarations.
type htmlTokenizer struct {
	src string
	pos int
}

// next returns the next start tag, false at the end.
func (t *htmlTokenizer) next() (htmlTag, bool) {
	for {
		i := strings.IndexByte(t.src[t.pos:], '<')
		if i < 0 {
			t.pos = len(t.src)
			return htmlTag{}, false
		}
		t.pos += i + 1
		rest := t.src[t.pos:]
		switch {
		case strings.HasPrefix(rest, "!--"):
			t.skipPast("-->")
		case rest == "" || !isASCIILetter(rest[0]):
			t.skipPast(">") // end tag, declaration, processing instruction or a stray "<"
		default:
			return t.startTag(), true
		}
	}
}

// skipPast moves after the next occurrence of s (or to the end).
func (t *htmlTokenizer) skipPast(s string) {
	if i := strings.Index(t.src[t.pos:], s); i >= 0 {
		t.pos += i + len(s)
	} else {
		t.pos = len(t.src)
	}
}

// startTag reads a tag name and its attributes up to ">".
func (t *htmlTokenizer) startTag() htmlTag {
	tag := htmlTag{name: strings.ToLower(t.word()), attrs: map[string]string{}}
	for {
		t.skipSpace()
		if t.pos >= len(t.src) {
			return tag
		}
		if c := t.src[t.pos]; c == '>' {
			t.pos++
			return tag
		} else if c == '/' {
			t.pos++
			continue
		}
		name := strings.ToLower(t.word())
		if name == "" { // an unexpected character: skip it
			t.pos++
			continue
		}
		value := ""
		t.skipSpace()
		if t.pos < len(t.src) && t.src[t.pos] == '=' {
			t.pos++
			t.skipSpace()
			value = html.UnescapeString(t.attrValue())
		}
		if _, dup := tag.attrs[name]; !dup {
			tag.attrs[name] = value
		}
	}
}

// word reads a tag or attribute name.
func (t *htmlTokenizer) word() string {
	start := t.pos
	for t.pos < len(t.src) && !strings.ContainsRune(" \t\n\r\f/>=\"'<", rune(t.src[t.pos])) {
		t.pos++
	}
	return t.src[start:t.pos]
}

// attrValue reads a quoted or unquoted attribute value.
func (t *htmlTokenizer) attrValue() string {
	if t.pos >= len(t.src) {
		return ""
	}
	if q := t.src[t.pos]; q == '"' || q == '\'' {
		end := strings.IndexByte(t.src[t.pos+1:], q)
		if end < 0 {
			v := t.src[t.pos+1:]
			t.pos = len(t.src)
			return v
		}
		v := t.src[t.pos+1 : t.pos+1+end]
		t.pos += end + 2
		return v
	}
	start := t.pos
	for t.pos < len(t.src) && !strings.ContainsRune(" \t\n\r\f>", rune(t.src[t.pos])) {
		t.pos++
	}
	return t.src[start:t.pos]
}

func (t *htmlTokenizer) skipSpace() {
	for t.pos < len(t.src) && strings.ContainsRune(" \t\n\r\f", rune(t.src[t.pos])) {
		t.pos++
	}
}

// text returns the text up to the end tag </name> (entities decoded, tags
// inside dropped) and moves past it.
func (t *htmlTokenizer) text(name string) string {
	rest := t.src[t.pos:]
	end := indexASCIIFold(rest, "</"+name)
	if end < 0 {
		end = len(rest)
	}
	inner := rest[:end]
	t.pos += end
	var b strings.Builder
	for inner != "" {
		lt := strings.IndexByte(inner, '<')
		if lt < 0 {
			b.WriteString(inner)
			break
		}
		b.WriteString(inner[:lt])
		gt := strings.IndexByte(inner[lt:], '>')
		if gt < 0 {
			break
		}
		inner = inner[lt+gt+1:]
	}
	return html.UnescapeString(b.String())
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// indexASCIIFold is strings.Index ignoring ASCII case (sub is lower case);
// unlike lower-casing the text first, it keeps byte offsets exact.
func indexASCIIFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		match := true
		for j := 0; j < len(sub) && match; j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			match = c == sub[j]
		}
		if match {
			return i
		}
	}
	return -1
}
