package main

import (
	"testing"

	"github.com/req2nix/req2nix/internal/lazyre"
)

// TestEveryRegexpCompiles compiles the regular expressions of every package
// in the binary. They compile on first use (internal/lazyre), so an invalid
// one would otherwise panic only on the input that reaches it.
func TestEveryRegexpCompiles(t *testing.T) {
	n, err := lazyre.Check()
	if err != nil {
		t.Fatal(err)
	}
	if n < 40 { // the binary's packages hold about fifty; fewer means some stopped registering
		t.Fatalf("only %d regular expressions registered", n)
	}
}
