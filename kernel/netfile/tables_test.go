package netfile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// TestTableValuesRestoreANetwork is the store/restore example's user-level way: one script writes
// the neurons' V_m and the connections as tables; another rebuilds the network from them (V_m
// from a column, Connect with source and target columns and per-position weights and delays) and
// its tables are the same bytes.
func TestTableValuesRestoreANetwork(t *testing.T) {
	dir := t.TempDir()
	store := script(
		`{"Create": {"model": "iaf_psc_delta", "n": 30, "params": {"V_m": {"distribution": "normal", "mean": -65.0, "std": 5.0}}, "as": "n"}}`,
		`{"Connect": {"pre": "n", "post": "n", "conn_spec": {"rule": "fixed_indegree", "indegree": 4}, "syn_spec": {"weight": {"distribution": "uniform", "min": 0.5, "max": 1.5}, "delay": {"distribution": "uniform", "min": 1.0, "max": 3.0}}}}`,
		`{"GetStatus": {"nodes": "n", "keys": "V_m", "to": "vm.csv"}}`,
		`{"GetConnections": {"keys": ["source", "target", "weight", "delay"], "to": "syn.csv"}}`,
	)
	sink, _ := mustRun(t, store, Options{Threads: 2})
	for _, name := range []string{"vm.csv", "syn.csv"} {
		data, _ := sink.File(name)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	restore := script(
		`{"Create": {"model": "iaf_psc_delta", "n": 30, "params": {"V_m": {"table": "vm.csv", "column": "V_m"}}, "as": "n"}}`,
		`{"Connect": {"pre": {"table": "syn.csv", "column": "source"}, "post": {"table": "syn.csv", "column": "target"}, "syn_spec": {"weight": {"table": "syn.csv", "column": "weight"}, "delay": {"table": "syn.csv", "column": "delay"}}}}`,
		`{"GetStatus": {"nodes": "n", "keys": "V_m", "to": "vm.csv"}}`,
		`{"GetConnections": {"keys": ["source", "target", "weight", "delay"], "to": "syn.csv"}}`,
	)
	for _, threads := range []int{1, 3} {
		again, _ := mustRun(t, restore, Options{Threads: threads, BaseDir: dir})
		for _, name := range []string{"vm.csv", "syn.csv"} {
			want, _ := sink.File(name)
			got, _ := again.File(name)
			if string(got) != string(want) {
				t.Errorf("threads %d: %s differs from the stored table", threads, name)
			}
		}
	}
}

// TestTableValueErrors: a missing table, a missing column and a non-numeric cell are refused
// with a message naming the table, the column or row, and the reason.
func TestTableValueErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "t.csv"), []byte("global_id,V_m\n1,-70\n2,abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, value string
		kind        status.Kind
		want        []string
	}{
		{"missing table", `{"table": "none.csv", "column": "V_m"}`, status.IOError, []string{"none.csv"}},
		{"missing column", `{"table": "t.csv", "column": "E_L"}`, status.BadProperty, []string{"t.csv", `no column "E_L"`, "global_id, V_m"}},
		{"non-numeric", `{"table": "t.csv", "column": "V_m"}`, status.BadProperty, []string{"t.csv", "row 2", `"abc"`}},
		{"bad reference", `{"table": "t.csv"}`, status.BadProperty, []string{"column"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runSrc(t, script(`{"Create": {"model": "iaf_psc_delta", "n": 2, "params": {"V_m": `+c.value+`}}}`), Options{BaseDir: dir})
			if status.KindOf(err) != c.kind || !slices.ContainsFunc([]string{err.Error()}, func(s string) bool {
				for _, w := range c.want {
					if !strings.Contains(s, w) {
						return false
					}
				}
				return true
			}) {
				t.Fatalf("got %v, want %s naming %v", err, c.kind, c.want)
			}
		})
	}
}
