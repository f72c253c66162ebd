package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStoreRestoreExample runs the example's flow on short runs: the same-seed restores agree,
// another seed differs, the full checkpoint continues exactly, and the figure is written.
func TestStoreRestoreExample(t *testing.T) {
	out := t.TempDir()
	if err := run(100, 2, out); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(out, "store_restore.png")); err != nil || st.Size() < 10000 {
		t.Fatalf("figure: %v", err)
	}
}
