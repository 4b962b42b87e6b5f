package pypi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// simplePage is the part of a PEP 691 JSON project page we read.
type simplePage struct {
	Files []simpleFile `json:"files"`
}

// simpleFile is one file of a PEP 691 page. The core metadata key is
// "core-metadata" (PEP 714), formerly "data-dist-info-metadata" and
// "dist-info-metadata" (PEP 658); each is false/absent, true, or a hash
// dictionary of the .metadata file.
type simpleFile struct {
	Filename         string       `json:"filename"`
	URL              string       `json:"url"`
	CoreMetadata     metadataFlag `json:"core-metadata"`
	DataDistInfo     metadataFlag `json:"data-dist-info-metadata"`
	DistInfoMetadata metadataFlag `json:"dist-info-metadata"`
}

// metadataFlag reads a PEP 658/714 value: bool or {"sha256": ...}.
type metadataFlag struct {
	present bool
	hashes  map[string]string
}

func (m *metadataFlag) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case nil:
		*m = metadataFlag{}
	case bool:
		*m = metadataFlag{present: v}
	case map[string]any:
		*m = metadataFlag{present: true, hashes: map[string]string{}}
		for k, h := range v {
			if s, ok := h.(string); ok {
				m.hashes[strings.ToLower(k)] = strings.ToLower(s)
			}
		}
	default:
		return fmt.Errorf("core-metadata: want bool or hash object, got %s", b)
	}
	return nil
}

// metadata returns the first core metadata flag present, newest key first.
func (f simpleFile) metadata() metadataFlag {
	for _, m := range []metadataFlag{f.CoreMetadata, f.DataDistInfo, f.DistInfoMetadata} {
		if m.present {
			return m
		}
	}
	return metadataFlag{}
}

// parseSimplePage decodes a PEP 691 JSON page. An HTML page (an index
// without PEP 691 that ignored our Accept header) has no usable core
// metadata links, so it reads as an empty page rather than an error.
func parseSimplePage(body []byte) (*simplePage, error) {
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '<' {
		return &simplePage{}, nil
	}
	var p simplePage
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// coreMetadataFile picks the file of a release whose .metadata to read:
// among the page's files that belong to the release and offer core
// metadata, the first wheel (metadata PyPI extracted from a built wheel is
// reliable), else the first other file.
func (p *simplePage) coreMetadataFile(release map[string]bool) (simpleFile, bool) {
	var other *simpleFile
	for i, f := range p.Files {
		if !release[f.Filename] || !f.metadata().present {
			continue
		}
		if strings.HasSuffix(f.Filename, ".whl") {
			return f, true
		}
		if other == nil {
			other = &p.Files[i]
		}
	}
	if other != nil {
		return *other, true
	}
	return simpleFile{}, false
}
