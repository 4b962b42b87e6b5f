package nixgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndentedLitRoundTrip evaluates indented strings made by indentedLine
// with Nix: every string of up to five characters over the characters that
// matter to Nix's lexer (' $ { } \ and a letter), and the hostile strings,
// alone and around an interpolation, read back exactly.
func TestIndentedLitRoundTrip(t *testing.T) {
	var values []string
	var grow func(prefix string)
	grow = func(prefix string) {
		values = append(values, prefix)
		if len(prefix) == 5 {
			return
		}
		for _, c := range []string{"'", "$", "{", "}", `\`, "a"} {
			grow(prefix + c)
		}
	}
	grow("")
	values = append(values, hostileStrings...)
	var lines []string
	for _, v := range values {
		if strings.ContainsAny(v, "\n\r") {
			continue // one line each; the lines of a script never hold a line break
		}
		lines = append(lines, nixString(v), "("+"''"+"\n"+indentedLine(v)+"\n"+"''"+")",
			"("+"''"+"\n"+indentedLine(v, "x", v)+"\n"+"''"+")")
	}
	file := filepath.Join(t.TempDir(), "strings.nix")
	if err := os.WriteFile(file, []byte(`let x = "<I>"; in [ `+strings.Join(lines, "\n")+` ]`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := nix(t, "--eval", "--strict", "--json", file)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(lines) {
		t.Fatalf("%d values, want %d", len(got), len(lines))
	}
	for i := 0; i < len(got); i += 3 {
		v := got[i]
		if got[i+1] != v+"\n" || got[i+2] != v+"<I>"+v+"\n" {
			t.Errorf("%q: alone %q, around an interpolation %q (escaped %s)", v, got[i+1], got[i+2], indentedLine(v, "x", v))
		}
	}
}
