package pep440

import "testing"

var benchVersions = []string{"1.0", "2.31.0", "1!2.0rc1.post3.dev4+ubuntu.1", "v1.0-ALPHA-1", "2024.10.1"}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(benchVersions[i%len(benchVersions)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	vs := make([]Version, len(sortedVersions))
	for i, s := range sortedVersions {
		vs[i] = MustParse(s)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		vs[i%len(vs)].Compare(vs[(i*7+3)%len(vs)])
	}
}

func BenchmarkParseSpecifiers(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSpecifiers(">=1.0, !=1.3.*, <2.0"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkContains(b *testing.B) {
	s := mustSpecB(b, ">=1.0,!=1.3.*,<2.0,~=1.1")
	vs := make([]Version, len(sortedVersions))
	for i, v := range sortedVersions {
		vs[i] = MustParse(v)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Contains(vs[i%len(vs)], true)
	}
}

func mustSpecB(b *testing.B, s string) Specifiers {
	spec, err := ParseSpecifiers(s)
	if err != nil {
		b.Fatal(err)
	}
	return spec
}
