// Package pypi is the index client: it reads projects and release metadata
// from package indexes as PyPI serves them now (or any index, or a file://
// mirror), with bounded concurrency, retries and an on-disk cache.
//
// An index URL is the root of a Simple API, as pip takes it. Versions,
// files (hashes, requires-python, yanks, PEP 700 upload times) and the PEP
// 792 project status come from the project's Simple API page, in its PEP
// 691 JSON form (PEP 503 HTML for indexes that have nothing else). Where
// the index is laid out like PyPI (a root ending in /simple), the JSON
// API's project document is fetched alongside: its info gives the latest
// release's metadata at no extra round trip, and its deprecated
// "releases" list stands in only where there is no Simple API page. Any
// other release's metadata is fetched only when asked for: its PEP 658/714
// .metadata file (checked against the published hash), else its JSON API
// version document, else read from a distribution file as pip does. A
// file:// mirror may hold either API's tree, or be a flat directory of
// distribution files (pip download).
//
// A Client (New) answers Project and Metadata, the resolver's Provider
// interface; Download, ArtifactMetadata and BuildRequires read artifacts for
// direct references and sdist builds. Network documents go through one
// retrying HTTP client (exponential backoff with full jitter, Retry-After,
// a deadline per document), gzip-compressed, at most Options.Jobs at a
// time, one fetch per URL however many goroutines ask. They are cached
// under Options.CacheDir, each entry self-validating and written
// atomically, so that concurrent runs can share a cache: version
// documents and core metadata for good, project pages and documents
// revalidated with ETags after Options.MaxAge. Credentials come from the
// index URL or the netrc file and are never printed: every URL in a
// message or a Project goes through Redact. Failures name the URL, the
// host and the number of attempts; an unknown project is a *NotFoundError
// with close matches, a quarantined one a *QuarantinedError.
// Close stops a Client's work and waits for it: afterwards nothing touches
// the cache directory or the network.
package pypi

import (
	"time"

	"github.com/req2nix/req2nix/pypi/pep440"
)

// Project is what an index knows of one project.
type Project struct {
	Name     string    // PEP 503 normalised
	Index    string    // the index URL it came from, credentials redacted
	Releases []Release // ascending by version; legacy versions and releases without files are skipped
	// Status is the PEP 792 project status the index gives ("" when it
	// gives none, which means active): "active", "archived" (no further
	// updates expected) or "deprecated" (obsolete, perhaps superseded).
	// Quarantined projects are not returned (see QuarantinedError).
	Status       string
	StatusReason string // free text from the index, "" when none
}

// Release is one version of a project and its files.
type Release struct {
	Name    string // the project's PEP 503 normalised name ("" when built by hand)
	Version pep440.Version
	Key     string // the release key exactly as the index spells it (used in version-document URLs)
	Index   string // index URL (redacted) the release came from
	Files   []File
}

// Yanked reports whether the release is yanked (PEP 592: all its files are).
func (r Release) Yanked() bool {
	if len(r.Files) == 0 {
		return false
	}
	for _, f := range r.Files {
		if !f.Yanked {
			return false
		}
	}
	return true
}

// File is one distribution file of a release.
type File struct {
	Filename       string
	URL            string
	SHA256         string // lower-case hex
	RequiresPython string // "" when absent
	Yanked         bool
	YankedReason   string
	PackageType    string    // "sdist", "bdist_wheel", ...
	UploadTime     time.Time // UTC; zero when the index does not say (PEP 700 upload-time, JSON API upload_time_iso_8601)
}

// MetadataSource says where a release's dependencies were read from.
type MetadataSource string

const (
	SourceJSON         MetadataSource = "json-api"      // info.requires_dist of the version document
	SourceCoreMetadata MetadataSource = "core-metadata" // PEP 658/714 <file>.metadata
	SourceWheel        MetadataSource = "wheel"         // METADATA inside a downloaded wheel
	SourcePKGInfo      MetadataSource = "pkg-info"      // PKG-INFO inside a downloaded sdist
)

// Metadata is the dependency metadata of one release.
type Metadata struct {
	Name           string // normalised
	Version        string // normalised
	RequiresDist   []string
	RequiresPython string
	ProvidesExtra  []string
	Source         MetadataSource
	// Assumed is set when the index published no dependency metadata at all
	// (requires_dist null and no PEP 658 core metadata): RequiresDist is
	// empty by assumption. PyPI writes null both for releases declaring no
	// dependencies and for those whose metadata it never extracted (old
	// sdist-only uploads), so this is a hint for verbose output, not a
	// warning for every such release.
	Assumed bool
}
