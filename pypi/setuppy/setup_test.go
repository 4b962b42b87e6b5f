package setuppy

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// allKnown is Known when every keyword is complete.
var allKnown = map[string]bool{"name": true, "version": true, "python_requires": true, "install_requires": true, "extras_require": true}

// known is allKnown without the given keywords.
func known(without ...string) map[string]bool {
	k := map[string]bool{}
	for kw := range allKnown {
		k[kw] = true
	}
	for _, w := range without {
		delete(k, w)
	}
	return k
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		want  Setup
		given string // the keywords setup() is given, space-separated
	}{
		{"plain literals", `
from setuptools import setup, find_packages

setup(
    name="demo",
    version='1.2.3',
    packages=find_packages(),
    python_requires=">=3.8",
    install_requires=["requests>=2", 'click'],  # trailing comment
    extras_require={"dev": ["pytest"], 'docs': ('sphinx',)},
)
`, Setup{Name: "demo", Version: "1.2.3", PythonRequires: ">=3.8", InstallRequires: []string{"requests>=2", "click"},
			ExtrasRequire: map[string][]string{"dev": {"pytest"}, "docs": {"sphinx"}}, Known: allKnown, Line: 4}, "name version python_requires install_requires extras_require"},

		{"names bound once at module level, + of lists and strings", `
import setuptools
NAME = "demo"
BASE = ["a", "b>1"]
REQUIRES = BASE + ["c"]
MIN_PY: str = ">=" "3." + "9"
setuptools.setup(name=NAME, version="0.1", install_requires=REQUIRES, python_requires=MIN_PY)
`, Setup{Name: "demo", Version: "0.1", PythonRequires: ">=3.9", InstallRequires: []string{"a", "b>1", "c"}, Known: allKnown, Line: 7}, "name version install_requires python_requires"},

		{"aws-cli: setup(**dict(...)), a computed version, a key set later", `
import codecs, os.path, re, sys
from setuptools import setup, find_packages

def find_version(*file_paths):
    version_file = read(*file_paths)
    version_match = re.search(r"^__version__ = ['\"]([^'\"]*)['\"]", version_file, re.M)
    if version_match:
        return version_match.group(1)
    raise RuntimeError("Unable to find version string.")

install_requires = [
    'botocore==1.29.84',
    'docutils>=0.10,<0.17',
    's3transfer>=0.6.0,<0.7.0',
    'PyYAML>=3.10,<5.5',
    'colorama>=0.2.5,<0.4.5',
    'rsa>=3.1.2,<4.8',
]

setup_options = dict(
    name='awscli',
    version=find_version("awscli", "__init__.py"),
    description='Universal Command Line Environment for AWS.',
    scripts=['bin/aws', 'bin/aws.cmd'],
    install_requires=install_requires,
    extras_require={},
    python_requires='>= 3.7',
)

if 'py2exe' in sys.argv:
    import py2exe
    setup_options['options'] = {'py2exe': {'optimize': 0}}
    setup_options['console'] = ['bin/aws']

setup(**setup_options)
`, Setup{Name: "awscli", PythonRequires: ">= 3.7", ExtrasRequire: map[string][]string{},
			InstallRequires: []string{"botocore==1.29.84", "docutils>=0.10,<0.17", "s3transfer>=0.6.0,<0.7.0", "PyYAML>=3.10,<5.5", "colorama>=0.2.5,<0.4.5", "rsa>=3.1.2,<4.8"},
			Known:           known("version"), Line: 36,
			Problems: []string{`version = find_version("awscli", "__init__.py") is computed`}}, "name version install_requires extras_require python_requires"},

		{"jax: f-strings, a computed version", `
import importlib
from setuptools import setup, find_packages

project_name = 'jax'
_current_jaxlib_version = '0.4.31'
_latest_jaxlib_version_on_pypi = '0.4.31'

def load_version_module(pkg_path):
    spec = importlib.util.spec_from_file_location('version', os.path.join(pkg_path, 'version.py'))
    return module

_version_module = load_version_module(project_name)
__version__ = _version_module._get_version_for_build()
_minimum_jaxlib_version = _version_module._minimum_jaxlib_version

setup(
    name=project_name,
    version=__version__,
    python_requires='>=3.10',
    install_requires=[
        f'jaxlib >={_minimum_jaxlib_version}, <={__version__}',
        'ml_dtypes>=0.4.0',
        "scipy>=1.11.1; python_version>='3.12'",
    ],
    extras_require={
        'minimum-jaxlib': [f'jaxlib=={_minimum_jaxlib_version}'],
        'ci': [f'jaxlib=={_latest_jaxlib_version_on_pypi}'],
        'cpu': [f'jaxlib=={_current_jaxlib_version}'],
    },
)
`, Setup{Name: "jax", PythonRequires: ">=3.10", InstallRequires: []string{"ml_dtypes>=0.4.0", "scipy>=1.11.1; python_version>='3.12'"},
			ExtrasRequire: map[string][]string{"minimum-jaxlib": nil, "ci": {"jaxlib==0.4.31"}, "cpu": {"jaxlib==0.4.31"}},
			Known:         known("version", "install_requires", "extras_require"), Line: 17,
			Problems: []string{
				"version = __version__ is computed (__version__ = _version_module._get_version_for_build())",
				"install_requires: item 1, f'jaxlib >={_minimum_jaxlib_version}, <={__version__}', has the field {_minimum_jaxlib_version}, which is computed (_minimum_jaxlib_version = _version_module._minimum_jaxlib_version)",
				`extras_require["minimum-jaxlib"]: item 1, f'jaxlib=={_minimum_jaxlib_version}', has the field {_minimum_jaxlib_version}, which is computed (_minimum_jaxlib_version = _version_module._minimum_jaxlib_version)`,
			}}, "name version python_requires install_requires extras_require"},

		{"requirements read from a file, a comprehension", `
from setuptools import setup
with open("requirements.txt") as f:
    reqs = f.read().splitlines()
setup(name="x", version="1", install_requires=reqs, extras_require={k: [k] for k in ("a", "b")})
`, Setup{Name: "x", Version: "1", Known: known("install_requires", "extras_require"), Line: 5,
			Problems: []string{
				"install_requires = reqs is assigned inside a block (conditionally)",
				`extras_require = {k: [k] for k in ("a", "b")} is computed (a comprehension)`,
			}}, "name version install_requires extras_require"},

		{"conditional and repeated assignments, changes in place", `
import sys
from setuptools import setup
if sys.version_info < (3, 8):
    deps = ["importlib-metadata"]
else:
    deps = []
extra = ["a"]
extra.append("b")
VERSION = "1.0"; VERSION = "2.0"
setup(name="x", version=VERSION, install_requires=deps, extras_require={"e": extra})
`, Setup{Name: "x", ExtrasRequire: map[string][]string{"e": nil}, Known: known("version", "install_requires", "extras_require"), Line: 11,
			Problems: []string{
				"version = VERSION is assigned 2 times",
				"install_requires = deps is assigned 2 times",
				`extras_require["e"] = extra is changed after its assignment`,
			}}, "name version install_requires extras_require"},

		{"a list with a computed part", `
from setuptools import setup
import other
setup(name="x", version="1", install_requires=["a"] + other.REQS + ["b"])
`, Setup{Name: "x", Version: "1", InstallRequires: []string{"a", "b"}, Known: known("install_requires"), Line: 4,
			Problems: []string{"install_requires: item 2, other.REQS, is computed"}}, "name version install_requires"},

		{"**kwargs from elsewhere hide every keyword not given", `
from setuptools import setup
from config import options
setup(name="x", **options)
`, Setup{Name: "x", Known: map[string]bool{"name": true}, Line: 4,
			Problems: []string{"setup(**options): is imported or computed, so any keyword may come from it"}}, "name"},

		{"a literal ** dict, explicit keywords first", `
from setuptools import setup
setup(version="2", **{"name": "x", "version": "1", "install_requires": "a\n  b>1  # why\n\n# comment\n"})
`, Setup{Name: "x", Version: "2", InstallRequires: []string{"a", "b>1"}, Known: allKnown, Line: 3}, "name version install_requires"},

		{"strings: escapes, raw, bytes, triple quotes, prefixes", `
from setuptools import setup
setup(name=u"caf\u00e9\x21", version=R"1\.0", python_requires=""">=3.8""",
      install_requires=['a\tb', "c\\d", 'e' 'f', '\101'], extras_require={b"x": ["y"]})
`, Setup{Name: "café!", Version: `1\.0`, PythonRequires: ">=3.8", InstallRequires: []string{"a\tb", `c\d`, "ef", "A"}, ExtrasRequire: map[string][]string{},
			Known: known("extras_require"), Line: 3,
			Problems: []string{`extras_require: the key b"x" is not a string`}}, "name version python_requires install_requires extras_require"},

		{"def setup and other.setup are not the call", `
def setup(**kw):
    pass
import other
other.setup(name="no")
setup(name="yes")
`, Setup{Name: "yes", Known: allKnown, Line: 6}, "name"},

		{"distutils, a continuation line, tabs", "from distutils.core import setup\nNAME = \\\n  'x'\nif True:\n\tpass\nsetup(name=NAME,\n\tversion='3')\n",
			Setup{Name: "x", Version: "3", Known: allKnown, Line: 6}, "name version"},

		{"keyword values of the wrong type", `
from setuptools import setup
setup(name=["x"], version=1.0, install_requires={"a": 1}, python_requires=None)
`, Setup{Known: known("name", "version", "install_requires", "python_requires"), Line: 3,
			Problems: []string{
				`name = ["x"] is a list, not a string`,
				"version = 1.0 is not a string",
				`python_requires = None is not a string`,
				`install_requires = {"a": 1} is a dict, not a list of strings`,
			}}, "name version install_requires python_requires"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Given = map[string]bool{}
			for _, k := range strings.Fields(tt.given) {
				tt.want.Given[k] = true
			}
			if got.Problems == nil {
				got.Problems = nil
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", *got, tt.want)
				for i := range max(len(got.Problems), len(tt.want.Problems)) {
					var g, w string
					if i < len(got.Problems) {
						g = got.Problems[i]
					}
					if i < len(tt.want.Problems) {
						w = tt.want.Problems[i]
					}
					if g != w {
						t.Errorf("problem %d:\ngot  %s\nwant %s", i, g, w)
					}
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      string
		is        error
	}{
		{"no setup call", "from setuptools import setup\n# setup(name='x')\nprint('setup(')\n", "no setup() call", ErrNoSetupCall},
		{"two calls", "from setuptools import setup\nif a:\n    setup(name='a')\nelse:\n    setup(name='b')\n", "setup() is called 2 times (lines 3, 5)", nil},
		{"unterminated string", "from setuptools import setup\nsetup(name='x)\n", "line 2: unterminated string", nil},
		{"unterminated triple-quoted string", "x = '''abc\n", "line 1: unterminated string", nil},
		{"too large", strings.Repeat("#", maxSource+1), "larger than", nil},
		{"nested too deeply", "setup(x=" + strings.Repeat("[", 201) + strings.Repeat("]", 201) + ")", "line 1: brackets nested more than 200 deep", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) || tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestParseBounded: the worst inputs within the limits (brackets nested
// as deep as allowed, a long chain of names, many items) read quickly.
func TestParseBounded(t *testing.T) {
	var chain strings.Builder
	chain.WriteString("n0 = 'x'\n")
	for i := 1; i < 2000; i++ {
		fmt.Fprintf(&chain, "n%d = n%d\n", i, i-1)
	}
	inputs := map[string]string{
		"deep brackets": strings.Repeat("setup(install_requires="+strings.Repeat("[", 199)+strings.Repeat("'a', ", 1000)+strings.Repeat("]", 199)+")\n", 1),
		"long chain":    chain.String() + "setup(name=n1999)\n",
		"many items":    "setup(install_requires=[" + strings.Repeat("'a>=1', ", 200000) + "])\n",
	}
	for name, src := range inputs {
		start := time.Now()
		s, err := Parse([]byte(src))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := time.Since(start); d > 2*time.Second && !raceDetector {
			t.Errorf("%s took %v", name, d)
		}
		if name == "long chain" && (s.Known["name"] || !strings.Contains(strings.Join(s.Problems, "\n"), "refers through more than 50 names")) {
			t.Errorf("%s: %+v", name, s)
		}
	}
}
