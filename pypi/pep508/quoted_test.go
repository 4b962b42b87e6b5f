package pep508

import "testing"

// TestUnquote checks Python's string literal rules (ast.literal_eval) as
// packaging applies them to marker values.
func TestUnquote(t *testing.T) {
	tests := []struct {
		tok, want string
		ok        bool
	}{
		{`"plain"`, "plain", true},
		{`''`, "", true},
		{`'double " inside'`, `double " inside`, true},
		{`"\\ \' \" \a \b \f \n \r \t \v"`, "\\ ' \" \a \b \f \n \r \t \v", true},
		{`"\0 \7 \101 \1011 \777"`, "\x00 \a A A1 \u01ff", true},
		{`"\x41\x4a\x4A"`, "AJJ", true},
		{`"\u00e9\U0001F600"`, "é😀", true},
		{`"\d\w\ \é"`, `\d\w\ \é`, true}, // unknown escapes are kept
		{"\"a\\\nb\"", "ab", true},       // line continuation
		{"\"a\\\r\nb\"", "ab", true},
		{"\"a\\\rb\"", "ab", true},
		{`"C:\"`, "", false}, // the backslash escapes the closing quote
		{`"\x4"`, "", false},
		{`"\xg0"`, "", false},
		{`"\u12"`, "", false},
		{`"\U00110000"`, "", false},
		{`"\N{LATIN SMALL LETTER A}"`, "", false},
		{"\"a\nb\"", "", false},
		{"\"a\rb\"", "", false},
		{"\"a\x00b\"", "", false},
	}
	for _, tt := range tests {
		got, ok := unquote(tt.tok)
		if got != tt.want || ok != tt.ok {
			t.Errorf("unquote(%q) = %q, %v, want %q, %v", tt.tok, got, ok, tt.want, tt.ok)
		}
	}
}

// TestQuote checks that quote gives packaging's form when it reads back and
// a readable form otherwise.
func TestQuote(t *testing.T) {
	tests := []struct{ value, want string }{
		{"posix", `"posix"`},
		{"", `""`},
		{`a'b`, `"a'b"`},
		{`a"b`, `'a"b'`},
		{`C:\dir`, `"C:\dir"`},
		{`a\nb`, `"a\\nb"`},
		{`a\`, `"a\\"`},
		{"a\"b'c", `"a\x22b'c"`},
		{"line\nbreak\r\x00", `"line\nbreak\r\x00"`},
	}
	for _, tt := range tests {
		got := quote(tt.value)
		if got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.value, got, tt.want)
		}
		if back, ok := unquote(got); !ok || back != tt.value {
			t.Errorf("unquote(quote(%q)) = %q, %v", tt.value, back, ok)
		}
	}
}
