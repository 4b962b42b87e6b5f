package nixgen

import (
	"strings"
	"testing"
)

// TestExcludeNewerRecorded: the --exclude-newer date is written in every
// format and read back as written; none is read back as none, and a
// hostile value stays a comment.
func TestExcludeNewerRecorded(t *testing.T) {
	for _, format := range []string{FormatShell, FormatFlake, FormatOverlay, FormatJSON} {
		for _, value := range []string{"2023-01-01", "2023-01-01T12:30:00Z", ""} {
			out, err := generate(flaskResolution(), stubIndex(t), Options{Format: format, ExcludeNewer: value})
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadExcludeNewer(out)
			if err != nil || got != value {
				t.Errorf("%s: ReadExcludeNewer = %q, %v; want %q", format, got, err, value)
			}
		}
	}
	out, err := generate(flaskResolution(), stubIndex(t), Options{ExcludeNewer: "2023-01-01\n{ evil = true; }"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "\n{ evil") {
		t.Errorf("the value left the comment:\n%s", out)
	}
}
