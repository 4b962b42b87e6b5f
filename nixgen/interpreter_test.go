package nixgen

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestChooseInterpreter(t *testing.T) {
	pin := DefaultPin() // 26.05: python311 3.11.15 … python313 3.13.15 (python3), python314 3.14.7
	for _, tc := range []struct {
		name, request, requiresPython, attr string
		want                                InterpreterTarget // Request left out
		wantErr                             string
	}{
		{name: "no request: python3", want: InterpreterTarget{IndexAttr: "python313", Attr: "python313", Version: "3.13.15", PinVersion: "3.13.15"}},
		{name: "a minor version", request: "3.12", want: InterpreterTarget{IndexAttr: "python312", Attr: "python312", Version: "3.12.13", PinVersion: "3.12.13"}},
		{name: "python312 still accepted", request: "python312", want: InterpreterTarget{IndexAttr: "python312", Attr: "python312", Version: "3.12.13", PinVersion: "3.12.13"}},
		{name: "any Python 3", request: "3", want: InterpreterTarget{IndexAttr: "python313", Attr: "python313", Version: "3.13.15", PinVersion: "3.13.15"}},
		{name: "an exact release", request: "3.11.11", want: InterpreterTarget{IndexAttr: "python311", Attr: "python311", Version: "3.11.11", PinVersion: "3.11.15"}},
		{name: "free-threading", request: "3.13t", want: InterpreterTarget{IndexAttr: "python313", Attr: "python313FreeThreading", Version: "3.13.15", PinVersion: "3.13.15", FreeThreaded: true}},
		{name: "an exact free-threading release", request: "3.14.2t", want: InterpreterTarget{IndexAttr: "python314", Attr: "python314FreeThreading", Version: "3.14.2", PinVersion: "3.14.7", FreeThreaded: true}},
		{name: "--interpreter", attr: "python313FreeThreading", want: InterpreterTarget{IndexAttr: "python313", Attr: "python313FreeThreading", Version: "3.13.15", PinVersion: "3.13.15", FreeThreaded: true}},
		{name: "--interpreter with its minor version", request: "3.14t", attr: "python314FreeThreading", want: InterpreterTarget{IndexAttr: "python314", Attr: "python314FreeThreading", Version: "3.14.7", PinVersion: "3.14.7", FreeThreaded: true}},
		{name: "--interpreter of another minor version", request: "3.12", attr: "python313FreeThreading", wantErr: "--interpreter python313FreeThreading is Python 3.13, but Python 3.12 was asked for"},
		{name: "--interpreter names the build", request: "3.13", attr: "python313FreeThreading", want: InterpreterTarget{IndexAttr: "python313", Attr: "python313FreeThreading", Version: "3.13.15", PinVersion: "3.13.15", FreeThreaded: true}},
		{name: "--interpreter disagreeing about the build", request: "3.13t", attr: "python313Custom", wantErr: "--interpreter python313Custom is not a free-threading build, but Python 3.13t was asked for"},
		{name: "--interpreter not an attribute", attr: "pypy310", wantErr: `--interpreter "pypy310": expected an interpreter attribute`},
		{name: "absent minor version", request: "3.10", wantErr: "has no python310"},
		{name: "exact release outside requires-python", request: "3.12.1", requiresPython: ">=3.12.4", wantErr: `--python 3.12.1 does not satisfy the project's requires-python ">=3.12.4"`},
		{name: "minor version outside requires-python", request: "3.11", requiresPython: ">=3.12", wantErr: "does not satisfy the project's requires-python"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var req *PythonRequest
			if tc.request != "" {
				req = mustRequest(t, tc.request)
			}
			got, err := ChooseInterpreter(pin, req, tc.requiresPython, InterpreterOptions{Attr: tc.attr})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			got.Request = nil
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestTargetInterpreter(t *testing.T) {
	rel := cpythonRelease(t, "3.11.11")
	target := func(request, attr string) InterpreterTarget {
		tg, err := ChooseInterpreter(DefaultPin(), mustRequest(t, request), "", InterpreterOptions{Attr: attr})
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	for _, tc := range []struct {
		name       string
		target     InterpreterTarget
		pinVersion string
		release    *CPythonRelease
		optimized  bool
		wantAttr   string // Plan.PythonAttr
		wantCheck  string
		wantSwap   bool
	}{
		{"the pin's minor version", target("3.11", ""), "3.11.15", nil, false, "python311", "", false},
		{"an exact release the pin lacks", target("3.11.11", ""), "3.11.15", rel, false, "python3_11_11", "3.11.11", false},
		{"an exact release the pin has: no build, still checked", target("3.11.11", ""), "3.11.11", rel, false, "python311", "3.11.11", false},
		{"optimized", target("3.12", ""), "3.12.13", nil, true, "python312Optimized", "", false},
		{"exact and optimized", target("3.11.11", ""), "3.11.15", rel, true, "python3_11_11Optimized", "3.11.11", false},
		{"free-threading", target("3.13t", ""), "3.13.15", nil, false, "python313FreeThreading", "3.13t", true},
		{"free-threading optimized: built from source", target("3.13t", ""), "3.13.15", nil, true, "python313FreeThreadingOptimized", "3.13t", false},
		{"--interpreter", target("3.13", "python313FreeThreading"), "3.13.15", nil, false, "python313FreeThreading", "3.13t", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := tc.target.Interpreter(tc.pinVersion, tc.release, "the release table", tc.optimized)
			attr, err := it.attr(tc.target.IndexAttr)
			if err != nil || attr != tc.wantAttr {
				t.Errorf("attribute %q, %v; want %s", attr, err, tc.wantAttr)
			}
			check := ""
			if it.Check != nil {
				check = it.Check.String()
			}
			if check != tc.wantCheck {
				t.Errorf("check %q, want %q", check, tc.wantCheck)
			}
			if swap := it.Build == nil && it.Attr != ""; swap != tc.wantSwap {
				t.Errorf("swap %v, want %v", swap, tc.wantSwap)
			}
		})
	}
}

func TestCheckInterpreterMatch(t *testing.T) {
	for _, tc := range []struct {
		attr, python string
		freeThreaded bool
		wantErr      string
	}{
		{"python3_11_11", "3.11.11", false, ""},
		{"python3_11_11", "3.11.15", false, "the resolution is for Python 3.11.15 but the output uses python3_11_11 (Python 3.11.11)"},
		{"python3_15_0b4", "3.15.0b4", false, ""},
		{"python312Optimized", "3.12.13", false, ""},
		{"python312Optimized", "3.13.1", false, "resolution is for Python 3.13.1"},
		{"python313FreeThreading", "3.13.15", true, ""},
		{"python313FreeThreading", "3.13.15", false, "the resolution is for the default (GIL) build but the output uses python313FreeThreading"},
		{"python313", "3.13.15", true, "the resolution is for the free-threading build but the output uses python313"},
		{"python3_13_1FreeThreadingOptimized", "3.13.1", true, ""},
	} {
		err := checkInterpreterMatch(tc.attr, tc.python, tc.freeThreaded)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("checkInterpreterMatch(%s, %s, %v) = %v, want %q", tc.attr, tc.python, tc.freeThreaded, err, tc.wantErr)
		}
	}
}

// TestCPythonTarballURL: the URL a release missing from the table is
// fetched from follows the rule every table release does.
func TestCPythonTarballURL(t *testing.T) {
	for _, r := range cpythonReleases().Releases {
		if got := cpythonTarballURL(cpythonFTP, r.Version); got != r.URL {
			t.Errorf("%s: %s, the table has %s", r.Version, got, r.URL)
		}
	}
}

// TestFetchCPythonRelease downloads a release the table lacks from a local
// server once: the hash is the tarball's, remembered, so a second run (and
// an offline one) asks nothing; offline without it, and a release the
// server does not have, fail naming the table's releases and
// --python-hash.
func TestFetchCPythonRelease(t *testing.T) {
	tarball := []byte("not really a tarball, but bytes to hash")
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path != "/3.12.99/Python-3.12.99.tar.xz" {
			http.NotFound(w, r)
			return
		}
		w.Write(tarball)
	}))
	defer srv.Close()
	cache := t.TempDir()
	opts := CPythonFetchOptions{CacheDir: cache, BaseURL: srv.URL}
	sum := sha256.Sum256(tarball)
	want := CPythonRelease{Version: "3.12.99", URL: "https://www.python.org/ftp/python/3.12.99/Python-3.12.99.tar.xz",
		SHA256: hex.EncodeToString(sum[:]), Hash: "sha256-" + base64.StdEncoding.EncodeToString(sum[:])}
	for i, o := range []CPythonFetchOptions{opts, opts, {CacheDir: cache, Offline: true}} {
		got, err := FetchCPythonRelease(context.Background(), "3.12.99", o)
		if err != nil || got != want {
			t.Errorf("run %d: %+v, %v; want %+v", i+1, got, err, want)
		}
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d downloads, want 1", n)
	}
	_, err := FetchCPythonRelease(context.Background(), "3.12.98", CPythonFetchOptions{CacheDir: cache, Offline: true})
	if err == nil || !strings.Contains(err.Error(), "CPython 3.12.98 is not in req2nix's table of CPython releases (its 3.12 releases run from 3.12.0 to") ||
		!strings.Contains(err.Error(), "--python-hash") || !strings.Contains(err.Error(), "--offline: its tarball was never downloaded") {
		t.Errorf("offline: %v", err)
	}
	_, err = FetchCPythonRelease(context.Background(), "3.12.97", opts)
	if err == nil || !strings.Contains(err.Error(), "/3.12.97/Python-3.12.97.tar.xz has no such file: is 3.12.97 a CPython release?") {
		t.Errorf("not found: %v", err)
	}
	for _, bad := range []string{"3.12", "3.12.1t", "3.12.01", "../3.12.1"} {
		if _, err := FetchCPythonRelease(context.Background(), bad, opts); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := CPythonReleaseWithHash("3.12.99", "sha256-short"); err == nil {
		t.Error("a malformed --python-hash was accepted")
	}
	if got, err := CPythonReleaseWithHash("3.12.99", want.Hash); err != nil || got != want {
		t.Errorf("CPythonReleaseWithHash: %+v, %v", got, err)
	}
}
