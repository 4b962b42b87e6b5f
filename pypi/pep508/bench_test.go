package pep508

import "testing"

// benchRequirements is a realistic mix of requirement lines.
var benchRequirements = []string{
	`requests[security,socks] (>=2.8.1,!=2.9.0) ; python_version >= "3.7" and extra == "x"`,
	"numpy>=1.21",
	"Django>=3.2,<5",
	`importlib-metadata>=4.6; python_version < "3.10"`,
	`pywin32>=300; sys_platform == "win32" and platform_python_implementation == "CPython"`,
	"pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
	`typing-extensions>=4.0; python_version < "3.11" or (os_name == "nt" and extra == "win")`,
	"click",
}

func BenchmarkParseRequirement(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ParseRequirement(benchRequirements[i%len(benchRequirements)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	var markers []Marker
	for _, s := range benchRequirements {
		r, err := ParseRequirement(s)
		if err != nil {
			b.Fatal(err)
		}
		if !r.Marker.IsZero() {
			markers = append(markers, r.Marker)
		}
	}
	markers = append(markers, must(b, ParseMarker, `"3.8" <= python_full_version and platform_machine in "x86_64 aarch64"`))
	env, err := TargetEnvironment("3.12", "aarch64-darwin")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		markers[i%len(markers)].Evaluate(env)
	}
}
