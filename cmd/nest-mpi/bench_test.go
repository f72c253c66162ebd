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
