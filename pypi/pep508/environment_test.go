package pep508

import (
	"maps"
	"strings"
	"testing"
)

func TestLatestPatch(t *testing.T) {
	tests := []struct {
		minor, want string
		ok          bool
	}{
		{"3.8", "3.8.20", true},
		{"3.9", "3.9.25", true},
		{"3.10", "3.10.19", true},
		{"3.11", "3.11.14", true},
		{"3.12", "3.12.12", true},
		{"3.13", "3.13.9", true},
		{"3.14", "3.14.0", true},
		{"3.7", "", false},
		{"3.12.4", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := LatestPatch(tt.minor); got != tt.want || ok != tt.ok {
			t.Errorf("LatestPatch(%q) = %q, %v, want %q, %v", tt.minor, got, ok, tt.want, tt.ok)
		}
	}
	if got := strings.Join(KnownPythons(), " "); got != "3.8 3.9 3.10 3.11 3.12 3.13 3.14" {
		t.Errorf("KnownPythons() = %s", got)
	}
}

func TestTargetEnvironment(t *testing.T) {
	linux := Environment{
		"python_version": "3.12", "python_full_version": "3.12.12",
		"implementation_name": "cpython", "implementation_version": "3.12.12",
		"platform_python_implementation": "CPython", "os_name": "posix",
		"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
		"platform_release": "", "platform_version": "",
	}
	with := func(base Environment, kv ...string) Environment {
		env := maps.Clone(base)
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	tests := []struct {
		python, platform string
		want             Environment
	}{
		{"3.12", "x86_64-linux", linux},
		{"3.12", "aarch64-linux", with(linux, "platform_machine", "aarch64")},
		{"3.12", "x86_64-darwin", with(linux, "sys_platform", "darwin", "platform_system", "Darwin")},
		{"3.12", "aarch64-darwin", with(linux, "sys_platform", "darwin", "platform_system", "Darwin", "platform_machine", "arm64")},
		{"3.12.4", "x86_64-linux", with(linux, "python_full_version", "3.12.4", "implementation_version", "3.12.4")},
		{"3.10", "x86_64-linux", with(linux, "python_version", "3.10", "python_full_version", "3.10.19", "implementation_version", "3.10.19")},
		{"3.7.9", "x86_64-linux", with(linux, "python_version", "3.7", "python_full_version", "3.7.9", "implementation_version", "3.7.9")},
		{"3.15.0a1", "x86_64-linux", with(linux, "python_version", "3.15", "python_full_version", "3.15.0a1", "implementation_version", "3.15.0a1")},
	}
	for _, tt := range tests {
		got, err := TargetEnvironment(tt.python, tt.platform)
		if err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("TargetEnvironment(%q, %q) = %v, %v, want %v", tt.python, tt.platform, got, err, tt.want)
		}
	}
}

func TestTargetEnvironmentErrors(t *testing.T) {
	tests := []struct{ python, platform, want string }{
		{"3.7", "x86_64-linux", `invalid target Python "3.7": use a minor version (3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14) or a full version such as 3.12.4`},
		{"3", "x86_64-linux", `invalid target Python "3"`},
		{"python3.12", "x86_64-linux", `invalid target Python "python3.12"`},
		{"3.12.x", "x86_64-linux", `invalid target Python "3.12.x"`},
		{" 3.12", "x86_64-linux", `invalid target Python " 3.12"`},
		{"3.12", "x86_64-windows", `unknown target platform "x86_64-windows": use one of aarch64-darwin, aarch64-linux, x86_64-darwin, x86_64-linux`},
		{"3.12", "", `unknown target platform ""`},
	}
	for _, tt := range tests {
		env, err := TargetEnvironment(tt.python, tt.platform)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("TargetEnvironment(%q, %q) = %v, %v, want error %q", tt.python, tt.platform, env, err, tt.want)
		}
	}
}

// TestTargetEnvironmentEvaluates evaluates typical markers in the target
// environments, as the resolver does.
func TestTargetEnvironmentEvaluates(t *testing.T) {
	tests := []struct {
		marker, python, platform string
		want                     bool
	}{
		{`python_version >= "3.8"`, "3.12", "x86_64-linux", true},
		{`python_version < "3.11"`, "3.12", "x86_64-linux", false},
		{`python_full_version >= "3.12.5"`, "3.12", "x86_64-linux", true},
		{`python_full_version >= "3.12.5"`, "3.12.4", "x86_64-linux", false},
		{`sys_platform == "win32"`, "3.12", "x86_64-linux", false},
		{`sys_platform == "darwin" and platform_machine == "arm64"`, "3.11", "aarch64-darwin", true},
		{`platform_machine == "x86_64" or platform_machine == "AMD64"`, "3.11", "aarch64-linux", false},
		{`platform_python_implementation == "CPython" and implementation_name == "cpython"`, "3.13", "x86_64-darwin", true},
		{`os_name == "nt"`, "3.13", "x86_64-darwin", false},
		{`extra == "test"`, "3.13", "x86_64-darwin", false},
	}
	for _, tt := range tests {
		env, err := TargetEnvironment(tt.python, tt.platform)
		if err != nil {
			t.Fatal(err)
		}
		if got := must(t, ParseMarker, tt.marker).Evaluate(env); got != tt.want {
			t.Errorf("%q on %s %s = %v, want %v", tt.marker, tt.python, tt.platform, got, tt.want)
		}
	}
}
