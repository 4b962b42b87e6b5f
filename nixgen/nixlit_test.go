package nixgen

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNixString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `""`},
		{"flask", `"flask"`},
		{`a"b`, `"a\"b"`},
		{`a\b`, `"a\\b"`},
		{"${x}", `"\${x}"`},
		{"$x", `"$x"`},
		{"$", `"$"`},
		{"$${x}", `"$\${x}"`},
		{"a\nb", `"a\nb"`},
		{"a\rb\tc", `"a\rb\tc"`},
		{"''${x}''", `"''\${x}''"`},
		{"ünï ☃", `"ünï ☃"`},
	}
	for _, tt := range tests {
		if got := nixString(tt.in); got != tt.want {
			t.Errorf("nixString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestNixAttr(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"flask", "flask"},
		{"typing-extensions", "typing-extensions"},
		{"django_5", "django_5"},
		{"_private", "_private"},
		{"it's", "it's"},
		{"3to2", `"3to2"`},
		{"a.b", `"a.b"`},
		{"", `""`},
		{"or", `"or"`},
		{"inherit", `"inherit"`},
		{"let", `"let"`},
		{"in", `"in"`},
		{"-x", `"-x"`},
		{"a b", `"a b"`},
		{"ünï", `"ünï"`},
		{"a${b}", `"a\${b}"`},
	}
	for _, tt := range tests {
		if got := nixAttr(tt.in); got != tt.want {
			t.Errorf("nixAttr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestCheckNixValue(t *testing.T) {
	for _, ok := range []string{"", "flask", "a\nb", "☃"} {
		if err := checkNixValue("value", ok); err != nil {
			t.Errorf("checkNixValue(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"a\x00b", "\xff"} {
		if err := checkNixValue("version of x", bad); err == nil || !strings.Contains(err.Error(), "version of x") {
			t.Errorf("checkNixValue(%q) = %v, want an error naming the value", bad, err)
		}
	}
}

// TestNixStringRoundTrip evaluates string literals and attribute names of
// hostile values with real Nix: each must evaluate to exactly itself.
func TestNixStringRoundTrip(t *testing.T) {
	values := append([]string{"", "$", "$$", "\\", "\\$", "${", "$\\{", "\"\"", "#", "/*"}, hostileStrings...)
	assertNixRoundTrip(t, values)
}

// assertNixRoundTrip checks that nixString and nixAttr literals of values
// evaluate back to the values.
func assertNixRoundTrip(t testing.TB, values []string) {
	t.Helper()
	var lits, attrs []string
	for i, v := range values {
		lits = append(lits, nixString(v))
		attrs = append(attrs, nixAttr(v)+" = "+itoaNix(i)+";")
	}
	expr := "{ strings = [ " + strings.Join(lits, " ") + " ]; attrs = { " + strings.Join(attrs, " ") + " }; }"
	out, err := nix(t, "--eval", "--strict", "--json", "-E", expr)
	if err != nil {
		t.Fatalf("%v\nexpression: %s", err, expr)
	}
	var got struct {
		Strings []string       `json:"strings"`
		Attrs   map[string]int `json:"attrs"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	for i, v := range values {
		if i >= len(got.Strings) || got.Strings[i] != v {
			t.Errorf("string literal %s evaluated to %q, want %q", lits[i], got.Strings, v)
		}
		if n, ok := got.Attrs[v]; !ok || values[n] != v {
			t.Errorf("attribute %s not found as %q in %v", nixAttr(v), v, got.Attrs)
		}
	}
}

func itoaNix(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
