package lazyre

import (
	"strings"
	"sync"
	"testing"
)

func TestCompilesOnceOnFirstUse(t *testing.T) {
	r := New(`^a+$`)
	if r.re != nil {
		t.Fatal("compiled before first use")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if !r.R().MatchString("aaa") {
				t.Error("^a+$ does not match aaa")
			}
		})
	}
	wg.Wait()
	if first := r.R(); first != r.R() {
		t.Error("compiled twice")
	}
}

func TestCheckReportsInvalid(t *testing.T) {
	before := len(registered)
	defer func() { registered = registered[:before] }()
	New(`^ok$`)
	if n, err := Check(); err != nil || n != before+1 {
		t.Fatalf("Check() = %d, %v for valid expressions, want %d, nil", n, err, before+1)
	}
	New(`(unclosed`)
	if _, err := Check(); err == nil || !strings.Contains(err.Error(), "(unclosed") {
		t.Fatalf("Check() = %v, want an error naming (unclosed", err)
	}
}
