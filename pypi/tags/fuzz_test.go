package tags

import "testing"

// FuzzParseWheel checks that ParseWheel never panics and that a parsed
// filename reassembles to itself.
func FuzzParseWheel(f *testing.F) {
	for _, s := range []string{
		"black-23.7.0-py3-none-any.whl",
		"numpy-1.9.2-2-cp27-none-win32.whl",
		"numpy-1.25.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
	} {
		f.Add(s)
	}
	r, err := NewRanker(Target{Python: "3.12", Platform: "x86_64-linux"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWheel(s)
		if _, ok := r.Rank(s); ok && err != nil {
			t.Fatalf("Rank accepts %q, which does not parse: %v", s, err)
		}
		if err != nil {
			return
		}
		if got := wheelFilename(w); got != s {
			t.Fatalf("ParseWheel(%q) reassembles as %q", s, got)
		}
	})
}

// FuzzParseSdist checks that ParseSdist never panics and that the parts it
// finds make up the filename.
func FuzzParseSdist(f *testing.F) {
	for _, s := range [][2]string{
		{"python-dateutil-2.8.1.tar.gz", "python-dateutil"},
		{"foo-1.0-1.zip", "foo"},
		{"foo-bar-1.0.tar.gz", ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, filename, project string) {
		sd, err := ParseSdist(filename, project)
		if err != nil {
			return
		}
		if sd.Name+"-"+sd.Version+"."+sd.Extension != filename || sd.Name == "" || sd.Version == "" {
			t.Fatalf("ParseSdist(%q, %q) = %+v", filename, project, sd)
		}
	})
}
