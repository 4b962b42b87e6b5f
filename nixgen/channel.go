package nixgen

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// channelRE matches the names of nixpkgs channels (channels.nixos.org),
// which are also branches of NixOS/nixpkgs that advance only once Hydra
// has built them, so their packages are in the binary cache.
var channelRE = lazyre.New(`^(?:nixos|nixpkgs)-(?:unstable|\d\d\.\d\d)(?:-small|-darwin)?$`)

// IsChannel reports whether s names a nixpkgs channel, such as
// nixos-26.05, nixos-unstable or nixpkgs-unstable.
func IsChannel(s string) bool { return channelRE.R().MatchString(s) }

// ChannelOptions controls ResolveChannel.
type ChannelOptions struct {
	CacheDir string // remembers resolutions; "" disables that
	Offline  bool   // use the last resolution, however old; never download
	Refresh  bool   // resolve again even when the last resolution is recent

	// ChannelsURL serves <ChannelsURL>/<channel>/git-revision, the commit a
	// channel is at (default https://channels.nixos.org); ArchiveURL serves
	// <ArchiveURL>/NixOS/nixpkgs/archive/<rev>.tar.gz (default
	// https://github.com). Tests point both at a local server; the output
	// always names github.com.
	ChannelsURL, ArchiveURL string

	Client   *http.Client     // nil: a client with a 10-minute timeout
	Progress func(msg string) // told before a download
	Now      func() time.Time // nil: time.Now
}

// ChannelTTL is how long a channel's resolution is reused before asking
// again (as Nix's tarball-ttl): a pre-commit hook naming a channel does not
// ask the network on every commit.
const ChannelTTL = time.Hour

// Resolved is a channel resolved to a pin.
type Resolved struct {
	Pin Pin
	At  time.Time // when the channel was asked for its revision
	// Source, when not "", is a temporary directory holding the unpacked
	// tarball (downloaded to hash it), which EvalOptions.Source can
	// evaluate; the caller removes Dir.
	Source, Dir string
}

// ResolveChannel finds the revision a channel is at and the NAR hash of
// its GitHub tarball, which it downloads, unpacks and hashes itself (so
// that no Nix store is needed), once per revision. The pin it returns
// names the channel, the revision and the hash, so the output stays pinned
// however the channel moves.
func ResolveChannel(ctx context.Context, channel string, o ChannelOptions) (Resolved, error) {
	if !IsChannel(channel) {
		return Resolved{}, fmt.Errorf("%q is not a nixpkgs channel name (such as nixos-26.05, nixos-unstable or nixpkgs-unstable)", channel)
	}
	o.defaults()
	last, haveLast := o.lastResolution(channel)
	switch {
	case haveLast && (o.Offline || !o.Refresh && o.Now().Sub(last.At) < ChannelTTL):
		return last, nil
	case o.Offline:
		return Resolved{}, fmt.Errorf("--offline: channel %s was never resolved on this machine, so its revision is unknown; run once without --offline, or give --nixpkgs REV --nixpkgs-sha256 HASH", channel)
	}
	rev, err := o.channelRevision(ctx, channel)
	if err != nil {
		return Resolved{}, err
	}
	r := Resolved{Pin: Pin{Rev: rev, URL: tarballURL(rev), Name: channel}, At: o.Now().UTC()}
	if haveLast && last.Pin.Rev == rev {
		r.Pin.SHA256 = last.Pin.SHA256
	} else if r.Pin.SHA256, r.Source, r.Dir, err = o.prefetch(ctx, rev, channel); err != nil {
		return Resolved{}, err
	}
	o.remember(channel, r)
	return r, nil
}

func (o *ChannelOptions) defaults() {
	if o.ChannelsURL == "" {
		o.ChannelsURL = "https://channels.nixos.org"
	}
	if o.ArchiveURL == "" {
		o.ArchiveURL = "https://github.com"
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Minute}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// channelRevision asks which commit the channel is at.
func (o ChannelOptions) channelRevision(ctx context.Context, channel string) (string, error) {
	url := strings.TrimSuffix(o.ChannelsURL, "/") + "/" + channel + "/git-revision"
	body, err := o.get(ctx, url, 1024)
	if err != nil {
		return "", fmt.Errorf("resolving channel %s: %w", channel, err)
	}
	rev := strings.TrimSpace(string(body))
	if !gitRevRE.R().MatchString(rev) {
		return "", fmt.Errorf("resolving channel %s: %s answered %q, not a 40-hex commit", channel, url, rev)
	}
	return rev, nil
}

func (o ChannelOptions) get(ctx context.Context, url string, limit int64) ([]byte, error) {
	resp, err := o.open(ctx, url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(io.LimitReader(resp.Body, limit))
}

func (o ChannelOptions) open(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return resp, nil
}

// prefetch downloads the revision's tarball, unpacks it into a temporary
// directory and hashes it as fetchTarball would.
func (o ChannelOptions) prefetch(ctx context.Context, rev, channel string) (sri, source, dir string, err error) {
	url := strings.TrimSuffix(o.ArchiveURL, "/") + "/NixOS/nixpkgs/archive/" + rev + ".tar.gz"
	if o.Progress != nil {
		o.Progress(fmt.Sprintf("downloading nixpkgs %s (%s) to compute its hash, once per revision", channel, rev[:12]))
	}
	resp, err := o.open(ctx, url)
	if err != nil {
		return "", "", "", fmt.Errorf("downloading nixpkgs %s: %w", rev, err)
	}
	defer resp.Body.Close()
	dir, err = os.MkdirTemp("", "req2nix-nixpkgs-")
	if err != nil {
		return "", "", "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	source, err = unpackTarball(resp.Body, dir)
	if err != nil {
		return "", "", "", fmt.Errorf("nixpkgs tarball %s: %w", url, err)
	}
	root, err := os.OpenRoot(source)
	if err != nil {
		return "", "", "", err
	}
	defer root.Close()
	if sri, err = narHash(root); err != nil {
		return "", "", "", fmt.Errorf("hashing nixpkgs %s: %w", rev, err)
	}
	return sri, source, dir, nil
}

// resolution is a channel's last resolution, kept in the cache directory.
type resolution struct {
	Rev    string    `json:"rev"`
	SHA256 string    `json:"sha256"`
	At     time.Time `json:"resolved_at"`
}

func (o ChannelOptions) resolutionPath(channel string) string {
	if o.CacheDir == "" {
		return ""
	}
	return filepath.Join(o.CacheDir, "nixpkgs-channels", channel+".json")
}

func (o ChannelOptions) lastResolution(channel string) (Resolved, bool) {
	p := o.resolutionPath(channel)
	if p == "" {
		return Resolved{}, false
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return Resolved{}, false
	}
	var r resolution
	if json.Unmarshal(data, &r) != nil || !gitRevRE.R().MatchString(r.Rev) || !isSRI(r.SHA256) {
		return Resolved{}, false
	}
	return Resolved{Pin: Pin{Rev: r.Rev, SHA256: r.SHA256, URL: tarballURL(r.Rev), Name: channel}, At: r.At}, true
}

func (o ChannelOptions) remember(channel string, r Resolved) {
	if p := o.resolutionPath(channel); p != "" {
		data, _ := json.Marshal(resolution{Rev: r.Pin.Rev, SHA256: r.Pin.SHA256, At: r.At})
		_ = writeFileAtomic(p, data) // best effort: the next run resolves again
	}
}

var sriRE = lazyre.New(`^sha256-[A-Za-z0-9+/]{43}=$`)

func isSRI(s string) bool { return sriRE.R().MatchString(s) }
