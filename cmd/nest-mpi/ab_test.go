package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestABScript runs bench/ab.py, which alternates the runs of two builds, on a small Brunel
// network: it prints each binary's phase timers once per binary, with one value per round.
func TestABScript(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	out := filepath.Join(t.TempDir(), "ab")
	cmd := exec.Command(py, filepath.Join("..", "..", "bench", "ab.py"), "--rounds", "2",
		"--cmd", "bench brunel --scale 0.02 --threads 1", "--out", out, bin, bin)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ab.py: %v\n%s", err, b)
	}
	text := string(b)
	if n := strings.Count(text, "\n"+bin+"\n"); n != 2 {
		t.Errorf("%d summaries of %s, want 2:\n%s", n, bin, text)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "simulate_s") && len(strings.Fields(line)) != 8 {
			t.Errorf("want min, median and two values: %q", line)
		}
	}
}
