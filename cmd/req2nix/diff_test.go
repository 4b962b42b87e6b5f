package main

import "testing"

func TestUnifiedDiff(t *testing.T) {
	tests := []struct {
		name, a, b, want string
	}{
		{"changed line: old before new", "h\n1\n2\n", "h\n1b\n2\n",
			"--- a\n+++ b\n@@ -1,3 +1,3 @@\n h\n-1\n+1b\n 2\n"},
		{"changed block", "x\na\nb\ny\n", "x\nA\nB\ny\n",
			"--- a\n+++ b\n@@ -1,4 +1,4 @@\n x\n-a\n-b\n+A\n+B\n y\n"},
		{"added line", "a\nc\n", "a\nb\nc\n",
			"--- a\n+++ b\n@@ -1,2 +1,3 @@\n a\n+b\n c\n"},
		{"removed line", "a\nb\nc\n", "a\nc\n",
			"--- a\n+++ b\n@@ -1,3 +1,2 @@\n a\n-b\n c\n"},
		{"from nothing", "", "a\n",
			"--- a\n+++ b\n@@ -0,0 +1 @@\n+a\n"},
		{"no newline at end", "a\nb", "a\nc",
			"--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
		{"far apart changes make two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1x\n2\n3\n4\n5\n6\n7\n8\n9\n10x\n",
			"--- a\n+++ b\n@@ -1,4 +1,4 @@\n-1\n+1x\n 2\n 3\n 4\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+10x\n"},
	}
	for _, tt := range tests {
		if got := unifiedDiff("a", "b", tt.a, tt.b); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
