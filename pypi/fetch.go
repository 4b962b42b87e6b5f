package pypi

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Retry tuning. The per-document deadline (Options.Timeout) bounds the total.
const (
	retryMax     = 5
	retryWaitMin = 250 * time.Millisecond
	retryWaitMax = 15 * time.Second
	maxDocBytes  = 256 << 20 // no index document is this large
	userAgent    = "req2nix (+https://github.com/req2nix/req2nix)"
	// simpleAccept asks for a Simple API page as PEP 691 JSON, else HTML
	// (pip's and uv's preference order).
	simpleAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
)

// newRetryClient builds the retrying HTTP client: one shared keep-alive
// transport sized for Jobs connections per host, exponential backoff with
// full jitter, Retry-After honoured.
func (c *Client) newRetryClient(opts Options) *retryablehttp.Client {
	rc := retryablehttp.NewClient()
	rc.HTTPClient = opts.HTTPClient
	if rc.HTTPClient == nil {
		rc.HTTPClient = &http.Client{Transport: newTransport(opts)}
	}
	rc.RetryMax = retryMax
	rc.RetryWaitMin, rc.RetryWaitMax = retryWaitMin, retryWaitMax
	rc.Backoff = fullJitterBackoff
	rc.CheckRetry = checkRetry
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	rc.RequestLogHook = c.countAttempt
	rc.Logger = nil
	if opts.Logger != nil {
		rc.Logger = slogAdapter{opts.Logger}
	}
	return rc
}

// newTransport is a keep-alive transport with gzip (net/http asks for it
// and decodes transparently) and enough idle connections for Jobs workers.
// A response whose headers take longer than half the deadline is retried.
func newTransport(opts Options) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4 * opts.Jobs,
		MaxIdleConnsPerHost:   opts.Jobs,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: opts.Timeout / 2,
		ExpectContinueTimeout: time.Second,
	}
}

// fullJitterBackoff waits a uniformly random time in [0, min(max,
// min·2^attempt)] ("full jitter"), or what the server asked for with
// Retry-After on 429 and 503.
func fullJitterBackoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if d, ok := retryAfter(resp); ok {
		return d
	}
	ceiling := maxWait
	if attempt < 30 && minWait<<attempt < maxWait {
		ceiling = minWait << attempt
	}
	return rand.N(ceiling + 1)
}

// retryAfter is the wait a 429 or 503 response asks for, if any.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	return parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
}

// beyondDeadline reports whether waiting d would pass ctx's deadline.
func beyondDeadline(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < d
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > int64(24*time.Hour/time.Second) {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	when, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(when.Sub(now), 0), true
}

// permanentError marks a failure that a retry cannot fix (a hash mismatch,
// a full disk).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// checkRetry retries connection errors, timeouts, truncated bodies, 429 and
// 5xx (except 501), never 4xx, and never once the context is done.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if wait, ok := retryAfter(resp); ok && beyondDeadline(ctx, wait) {
		return false, nil // waiting could only end in a timeout: report the status now
	}
	var perm *permanentError
	if errors.As(err, &perm) || isUnknownHost(err) {
		return false, err
	}
	return retryablehttp.ErrorPropagatedRetryPolicy(ctx, resp, err)
}

// isUnknownHost reports a DNS answer that the host does not exist: retrying
// cannot change it (unlike a DNS timeout), and with no network at all it is
// what every request gets, so the user should hear it at once.
func isUnknownHost(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns) && dns.IsNotFound
}

// attemptsKey is the context key of a request's attempt counter.
type attemptsKey struct{}

// countAttempt is the retry client's per-attempt hook: it counts requests
// and retries, and the attempts of this document.
func (c *Client) countAttempt(_ retryablehttp.Logger, req *http.Request, retry int) {
	c.stats.requests.Add(1)
	if retry > 0 {
		c.stats.retries.Add(1)
	}
	if n, ok := req.Context().Value(attemptsKey{}).(*int); ok {
		*n = retry + 1
	}
}

// response is the outcome of one document GET.
type response struct {
	status int
	etag   string
}

// httpGet fetches u with retries under the given deadline, sending
// credentials (see credentials) in a header. For a 200 response, body is called with the body stream;
// it runs again from the start on a retry, so it must reset what it writes,
// and a read error from the stream triggers a retry (a *permanentError does
// not).
func (c *Client) httpGet(ctx context.Context, u *url.URL, hdr http.Header, deadline time.Duration, body func(io.Reader) error) (response, error) {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	attempts := 0
	ctx = context.WithValue(ctx, attemptsKey{}, &attempts)
	req, err := c.newRequest(ctx, u, hdr, body)
	if err != nil {
		return response{}, err
	}
	if err := c.acquire(ctx); err != nil {
		return response{}, c.fetchError(ctx, u, attempts, err)
	}
	defer c.release()
	resp, err := c.http.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	switch {
	case err != nil && (resp == nil || resp.StatusCode == http.StatusOK):
		return response{}, c.fetchError(ctx, u, attempts, err)
	case resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotModified:
		return response{}, c.statusError(ctx, u, resp, attempts)
	}
	return response{status: resp.StatusCode, etag: resp.Header.Get("ETag")}, nil
}

// newRequest builds the GET with headers, credentials and the body
// handler.
func (c *Client) newRequest(ctx context.Context, u *url.URL, hdr http.Header, body func(io.Reader) error) (*retryablehttp.Request, error) {
	clean, _ := stripUserinfo(u) // credentials go in a header, never in the URL net/http quotes in errors
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, clean.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", Redact(u.String()), unwrapURLError(err))
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", userAgent)
	if user, pass, ok := c.credentials(u); ok {
		req.SetBasicAuth(user, pass)
	}
	req.SetResponseHandler(func(resp *http.Response) error {
		if resp.StatusCode != http.StatusOK {
			return nil
		}
		var r io.Reader = &countingReader{r: resp.Body, n: &c.stats.bytes} // the bytes on the wire
		if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") && hdr.Get("Accept-Encoding") != "" {
			zr, err := gzip.NewReader(r)
			if err != nil {
				return fmt.Errorf("reading compressed body: %w", err) // a truncated or corrupt transfer: retried
			}
			r = zr
		}
		return body(r)
	})
	return req, nil
}

// statusError turns a final HTTP status into an error: errNotFound for
// 404/410, an HTTPError otherwise.
func (c *Client) statusError(ctx context.Context, u *url.URL, resp *http.Response, attempts int) error {
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return fmt.Errorf("GET %s: %w", Redact(u.String()), errNotFound)
	}
	_, _, sent := c.credentials(u)
	wait, _ := retryAfter(resp)
	if !beyondDeadline(ctx, wait) {
		wait = 0
	}
	return &HTTPError{URL: Redact(u.String()), Status: resp.StatusCode, Attempts: attempts, RetryAfter: wait, SentCredentials: sent, Netrc: c.netrcPath}
}

// fetchError explains a failed fetch: which host, after how many attempts,
// and whether the deadline or the caller ended it.
func (c *Client) fetchError(ctx context.Context, u *url.URL, attempts int, err error) error {
	var perm *permanentError
	if errors.As(err, &perm) {
		return perm.err
	}
	where := fmt.Sprintf("GET %s", Redact(u.String()))
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: no complete response from %s within %s (%d attempt%s): %w", where, u.Host, c.timeout, attempts, plural(attempts), context.DeadlineExceeded)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", where, context.Cause(ctx)) // ErrClosed when Close ended it
	}
	return fmt.Errorf("%s: cannot reach %s after %d attempt%s: %v", where, u.Host, attempts, plural(attempts), unwrapURLError(err))
}

// unwrapURLError drops the "Get <url>:" prefix net/http adds (the caller
// names the URL itself, redacted).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// credentials finds the login for u: its own userinfo, else that of the
// index u lies under, else of another index on the same host (files are
// often served beside the index), else the netrc entry for the host.
func (c *Client) credentials(u *url.URL) (user, pass string, ok bool) {
	if u.User != nil {
		p, _ := u.User.Password()
		return u.User.Username(), p, true
	}
	var sameHost *url.Userinfo
	for _, ix := range c.indexes {
		if ix.user == nil || !strings.EqualFold(ix.base.Host, u.Host) {
			continue
		}
		if strings.HasPrefix(u.Path, ix.scope()+"/") {
			sameHost = ix.user
			break
		}
		if sameHost == nil {
			sameHost = ix.user
		}
	}
	if sameHost != nil {
		p, _ := sameHost.Password()
		return sameHost.Username(), p, true
	}
	if e, found := c.netrcEntries().lookup(u.Hostname()); found {
		return e.login, e.password, true
	}
	return "", "", false
}

// countingReader adds the bytes it reads to a counter, and marks read
// errors as retryable transfer failures.
type countingReader struct {
	r io.Reader
	n interface{ Add(int64) int64 }
}

func (cr *countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.n.Add(int64(n))
	if err != nil && err != io.EOF {
		err = fmt.Errorf("reading body: %w", err)
	}
	return n, err
}

// slogAdapter feeds retryablehttp's log lines to slog at debug level.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Error(msg string, kv ...any) { a.l.Debug(msg, kv...) }
func (a slogAdapter) Info(msg string, kv ...any)  { a.l.Debug(msg, kv...) }
func (a slogAdapter) Debug(msg string, kv ...any) { a.l.Debug(msg, kv...) }
func (a slogAdapter) Warn(msg string, kv ...any)  { a.l.Debug(msg, kv...) }
