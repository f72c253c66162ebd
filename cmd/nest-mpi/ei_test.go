package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestEINetworkReproducible runs the main job (the E/I network of NEST's store/restore example,
// 1000 ms) with 1, 2 and 4 threads, twice each: the same thread count gives the same files, and the
// mean rate and the final weights lie near NEST's (reference README: about 52-54 spikes/s, mean
// excitatory weight 1.031 with one VP and 1.041 with two).
func TestEINetworkReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("six runs of 1 s of a 2,500-neuron plastic network")
	}
	net := filepath.Join("..", "..", "examples", "ei_network.json")
	files := []string{"spikes.csv", "weights.csv", "e_syn_weights.csv", "e_vm.csv"}
	rateRe := regexp.MustCompile(`mean rate ([0-9.]+) spikes/s`)
	weightRe := regexp.MustCompile(`e_syn: \d+ connections, mean weight \S+ -> ([0-9.]+)`)
	for _, threads := range []string{"1", "2", "4"} {
		var first [][]byte
		for run := 0; run < 2; run++ {
			out := filepath.Join(t.TempDir(), "out")
			stdout, stderr, code := nestMPI(t, "run", net, "--threads", threads, "--out", out)
			if code != 0 {
				t.Fatalf("threads %s: exit %d: %s", threads, code, stderr)
			}
			var got [][]byte
			for _, f := range files {
				b, err := os.ReadFile(filepath.Join(out, f))
				if err != nil || len(b) == 0 {
					t.Fatalf("threads %s: %s missing or empty (%v)", threads, f, err)
				}
				got = append(got, b)
			}
			if run == 0 {
				first = got
				rate, weight := number(t, rateRe, stdout), number(t, weightRe, stdout)
				t.Logf("threads %s: mean rate %.2f spikes/s, mean E weight %.4f", threads, rate, weight)
				if rate < 45 || rate > 60 || weight < 1.0 || weight > 1.08 {
					t.Errorf("threads %s: rate %.2f spikes/s and mean weight %.4f are far from NEST's (52-54, 1.03-1.04)", threads, rate, weight)
				}
				continue
			}
			for i, f := range files {
				if !bytes.Equal(first[i], got[i]) {
					t.Errorf("threads %s: %s differs between two runs", threads, f)
				}
			}
		}
	}
}

func number(t *testing.T, re *regexp.Regexp, s string) float64 {
	t.Helper()
	m := re.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %q in the output:\n%s", re, s)
	}
	x, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}
