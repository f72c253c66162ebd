package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/kernel/netfile"
)

// nest-mpi bench runs the generated network file, which `nest-mpi run` reads as well, and writes
// bench.csv with beNNch's columns; a dry run reports the exchange volume of its rank.
func TestBenchCommand(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		dry  bool
	}{
		{"brunel", []string{"brunel", "--scale", "0.1", "-q"}, false},
		{"brunel dry run", []string{"brunel", "--scale", "0.1", "--dry-run", "4", "-q"}, true},
		{"hpc_benchmark", []string{"hpc_benchmark", "--scale", "0.02", "--threads", "2", "-q"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "b")
			stdout, stderr, code := nestMPI(t, append([]string{"bench", "--out", out}, c.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			rows := readTable(t, filepath.Join(out, "bench.csv"))
			if len(rows) != 2 || !slices.Equal(rows[0], benchColumns()) {
				t.Fatalf("bench.csv: %v", rows)
			}
			for _, col := range []string{"rng_seed", "num_nodes", "tasks_per_node", "threads_per_task", "model_time_sim", "time_update", "peak_rss_bytes"} {
				if v := rows[1][slices.Index(rows[0], col)]; v == "" || v == "0" {
					t.Errorf("bench.csv %s = %q", col, v)
				}
			}
			if sent := rows[1][slices.Index(rows[0], "exchange_sent_bytes")]; (sent != "0") != c.dry {
				t.Errorf("exchange_sent_bytes %s (dry run %v)", sent, c.dry)
			}
			if !strings.Contains(stdout, "build") {
				t.Errorf("no summary: %q", stdout)
			}
			if _, err := netfile.ReadFile(filepath.Join(out, "network.json")); err != nil {
				t.Errorf("network.json: %v", err)
			}
		})
	}
}

func TestBenchUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"bench"}, {"bench", "nosuch"}, {"bench", "brunel", "--scale", "0"}, {"bench", "brunel", "--dry-run", "-1"}} {
		if _, stderr, code := nestMPI(t, args...); code != exitError || !strings.Contains(stderr, "bench") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
	if _, err := os.Stat("out/bench/nosuch"); err == nil {
		t.Error("an unknown network created its output folder")
	}
}

func TestParseConfigs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []scalingConfig
		ok   bool
	}{
		{"1x1,1x2,2x1", []scalingConfig{{1, 1}, {1, 2}, {2, 1}}, true},
		{" 4x8 ", []scalingConfig{{4, 8}}, true},
		{"2", nil, false},
		{"0x1", nil, false},
		{"1x", nil, false},
	} {
		got, err := parseConfigs(c.in)
		if (err == nil) != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("parseConfigs(%q) = %v, %v", c.in, got, err)
		}
	}
}

func TestRoundUp(t *testing.T) {
	for _, c := range []struct{ x, want float64 }{{0.7, 1}, {1, 1}, {1.2, 2}, {2.3, 2.5}, {3.3, 5}, {7, 10}, {140, 200}, {0, 1}} {
		if got := roundUp(c.x); got != c.want {
			t.Errorf("roundUp(%g) = %g, want %g", c.x, got, c.want)
		}
	}
}

// bench scaling runs every configuration and writes the table and both plots (single-rank
// configurations here; the MPI ones go through mpirun the same way).
func TestBenchScaling(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s")
	if _, stderr, code := nestMPI(t, "bench", "scaling", "brunel", "--scale", "0.05", "--configs", "1x1,1x2", "--weak", "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"scaling.csv", "scaling.md", "rtf_phases.png", "speedup.png", "1x2/network.json"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	rows := readTable(t, filepath.Join(out, "scaling.csv"))
	if len(rows) != 3 || rows[2][slices.Index(rows[0], "scale")] != "0.1" {
		t.Errorf("scaling.csv (weak: the second configuration has twice the scale): %v", rows)
	}
}
