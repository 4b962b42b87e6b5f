package tags

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseWheel(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Wheel
	}{
		{"black-23.7.0-py3-none-any.whl", Wheel{"black", "23.7.0", "", []string{"py3"}, []string{"none"}, []string{"any"}}},
		{"six-1.16.0-py2.py3-none-any.whl", Wheel{"six", "1.16.0", "", []string{"py2", "py3"}, []string{"none"}, []string{"any"}}},
		{"numpy-1.25.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
			Wheel{"numpy", "1.25.1", "", []string{"cp311"}, []string{"cp311"}, []string{"manylinux_2_17_x86_64", "manylinux2014_x86_64"}}},
		// A build tag (must start with a digit).
		{"numpy-1.9.2-2-cp27-none-win32.whl", Wheel{"numpy", "1.9.2", "2", []string{"cp27"}, []string{"none"}, []string{"win32"}}},
		{"foo-1.0-1abc-py3-none-any.whl", Wheel{"foo", "1.0", "1abc", []string{"py3"}, []string{"none"}, []string{"any"}}},
		// Escaped and legacy distribution names, non-normalised versions.
		{"scikit_learn-1.5.0-cp312-cp312-macosx_12_0_arm64.whl", Wheel{"scikit_learn", "1.5.0", "", []string{"cp312"}, []string{"cp312"}, []string{"macosx_12_0_arm64"}}},
		{"zope.interface-6.0-cp311-cp311-win_amd64.whl", Wheel{"zope.interface", "6.0", "", []string{"cp311"}, []string{"cp311"}, []string{"win_amd64"}}},
		{"Jinja2-2.11.3-py2.py3-none-any.whl", Wheel{"Jinja2", "2.11.3", "", []string{"py2", "py3"}, []string{"none"}, []string{"any"}}},
		{"foo-1.0.POST1-py3-none-any.whl", Wheel{"foo", "1.0.POST1", "", []string{"py3"}, []string{"none"}, []string{"any"}}},
		{"pkg-1.0+local-py3-none-any.whl", Wheel{"pkg", "1.0+local", "", []string{"py3"}, []string{"none"}, []string{"any"}}},
	} {
		got, err := ParseWheel(tc.in)
		if err != nil {
			t.Errorf("ParseWheel(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseWheel(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseWheelInvalid(t *testing.T) {
	for _, tc := range []struct{ in, wantErr string }{
		{"black-23.7.0.tar.gz", "does not end in .whl"},
		{"black-23.7.0-py3-none-any.WHL", "does not end in .whl"},
		{"black-23.7.0-py3-any.whl", "found 4 parts"},
		{"black-23.7.0-1-2-py3-none-any.whl", "found 7 parts"},
		{"-1.0-py3-none-any.whl", "empty distribution name"},
		{"foo__bar-1.0-py3-none-any.whl", `contains "__"`},
		{"foo+bar-1.0-py3-none-any.whl", `contains "+"`},
		{"foo-1.0.x-py3-none-any.whl", `invalid version "1.0.x"`},
		{"foo-1.0-abc-py3-none-any.whl", `build tag "abc" must start with a digit`},
		{"foo-1.0--py3-none-any.whl", `build tag "" must start with a digit`},
		{"foo-1.0-py2..py3-none-any.whl", "empty python tag"},
		{"foo-1.0-py3--any.whl", "empty abi tag"},
		{"foo-1.0-py3-none-.whl", "empty platform tag"},
	} {
		w, err := ParseWheel(tc.in)
		if err == nil {
			t.Errorf("ParseWheel(%q) = %+v, want an error", tc.in, w)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, fmt.Sprintf("invalid wheel filename %q: ", tc.in)) || !strings.Contains(msg, tc.wantErr) {
			t.Errorf("ParseWheel(%q) error %q, want one naming the file and containing %q", tc.in, msg, tc.wantErr)
		}
	}
}

func TestPureAndTags(t *testing.T) {
	for _, tc := range []struct {
		in   string
		pure bool
		tags string
	}{
		{"six-1.16.0-py2.py3-none-any.whl", true, "py2-none-any py3-none-any"},
		{"foo-1.0-py3-NONE-Any.whl", true, "py3-none-any"},
		{"foo-1.0-cp311-abi3-any.whl", false, "cp311-abi3-any"},
		{"foo-1.0-py3-none-linux_x86_64.whl", false, "py3-none-linux_x86_64"},
		{"foo-1.0-cp38.cp39-abi3.none-a.b.whl", false, "cp38-abi3-a cp38-abi3-b cp38-none-a cp38-none-b cp39-abi3-a cp39-abi3-b cp39-none-a cp39-none-b"},
	} {
		w, err := ParseWheel(tc.in)
		if err != nil {
			t.Fatalf("ParseWheel(%q): %v", tc.in, err)
		}
		if w.Pure() != tc.pure || strings.Join(w.Tags(), " ") != tc.tags {
			t.Errorf("%q: Pure() = %v, Tags() = %v; want %v, %s", tc.in, w.Pure(), w.Tags(), tc.pure, tc.tags)
		}
	}
}

func TestParseSdist(t *testing.T) {
	for _, tc := range []struct {
		file, project string
		want          Sdist
	}{
		{"black-23.7.0.tar.gz", "black", Sdist{"black", "23.7.0", "tar.gz"}},
		{"numpy-1.10.0.post2.zip", "numpy", Sdist{"numpy", "1.10.0.post2", "zip"}},
		{"Jinja2-2.11.3.tar.gz", "jinja2", Sdist{"Jinja2", "2.11.3", "tar.gz"}},
		// Legacy names with "-", found by normalising the prefix.
		{"python-dateutil-2.8.1.tar.gz", "python-dateutil", Sdist{"python-dateutil", "2.8.1", "tar.gz"}},
		{"zope.interface-5.0.tar.bz2", "zope-interface", Sdist{"zope.interface", "5.0", "tar.bz2"}},
		{"Foo_Bar-1.0.tgz", "foo-bar", Sdist{"Foo_Bar", "1.0", "tgz"}},
		// PEP 625 names.
		{"scikit_learn-1.5.0.tar.gz", "scikit-learn", Sdist{"scikit_learn", "1.5.0", "tar.gz"}},
		// Versions with "-" (legacy post-releases and non-PEP 440 ones).
		{"foo-1.0-1.tar.xz", "foo", Sdist{"foo", "1.0-1", "tar.xz"}},
		{"foo-bar-1.0-beta-2.tar", "foo-bar", Sdist{"foo-bar", "1.0-beta-2", "tar"}},
		// Without a project: the last "-" separates.
		{"foo-bar-1.0.tar.gz", "", Sdist{"foo-bar", "1.0", "tar.gz"}},
	} {
		got, err := ParseSdist(tc.file, tc.project)
		if err != nil {
			t.Errorf("ParseSdist(%q, %q): %v", tc.file, tc.project, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseSdist(%q, %q) = %+v, want %+v", tc.file, tc.project, got, tc.want)
		}
	}
}

func TestParseSdistInvalid(t *testing.T) {
	for _, tc := range []struct{ file, project, wantErr string }{
		{"numpy-1.0.1.dev3460.win32-py2.4.exe", "numpy", "extension is not one of"},
		{"black-23.7.0-py3-none-any.whl", "black", "extension is not one of"},
		{"black-23.7.0.TAR.GZ", "black", "extension is not one of"},
		{"blackened-1.0.tar.gz", "black", `does not start with project "black"`},
		{"black.tar.gz", "black", `does not start with project "black"`},
		{"black-.tar.gz", "black", "empty name or version"},
		{"black.tar.gz", "", `no "-" between name and version`},
		{"-1.0.tar.gz", "", "empty name or version"},
	} {
		sd, err := ParseSdist(tc.file, tc.project)
		if err == nil {
			t.Errorf("ParseSdist(%q, %q) = %+v, want an error", tc.file, tc.project, sd)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, fmt.Sprintf("invalid sdist filename %q: ", tc.file)) || !strings.Contains(msg, tc.wantErr) {
			t.Errorf("ParseSdist(%q, %q) error %q, want one naming the file and containing %q", tc.file, tc.project, msg, tc.wantErr)
		}
	}
}
