//go:build mpi

package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// serveCalls is an interactive session with errors in between; the SetStatus errors are met by
// the rank that owns the node only (node 1 lives on rank 1 of 2, node 2 on rank 0).
var serveCalls = []string{
	`{"Create": {"model": "iaf_psc_alpha", "n": 4}}`,
	`{"SetStatus": {"nodes": [2], "params": {"C_m": -1.0}}}`,
	`{"SetStatus": {"nodes": [1], "params": {"C_m": -1.0}}}`,
	`{"Create": {"model": "no_such_model"}}`,
	`{"GetStatus": {"nodes": [1, 2, 3, 4], "keys": ["C_m", "global_id"]}}`,
	`{"Create": {"model": "spike_recorder"}}`,
	`{"SetStatus": {"nodes": [1, 2, 3, 4], "params": {"I_e": 376.0}}}`,
	`{"Connect": {"pre": {"ids": [1, 1, 2, 3, 4]}, "post": {"ids": [2, 3, 3, 4, 1]}, "syn_spec": {"weight": [1.0, 2.0, 3.0, 4.0, 5.0]}}}`,
	`{"Connect": {"pre": [1, 2, 3, 4], "post": [5]}}`,
	`{"Simulate": 100.0}`,
	`{"GetStatus": {"nodes": [5], "keys": ["n_events", "events"]}}`,
	`{"SetConnections": {"synapse_model": "static_synapse", "params": {"weight": [9, 8, 7, 6, 5, 4, 3, 2, 1], "delay": 2.0}}}`,
	`{"SetConnections": {"params": {"weight": [1.0, 2.0]}}}`,
	`{"GetConnections": {"keys": ["source", "target", "weight", "delay"]}}`,
	`{"GetConnections": {"source": [1], "keys": ["source", "target", "synapse_id", "synapse_model", "port", "delay", "weight"]}}`,
	`{"GetKernelStatus": {"keys": ["num_connections", "biological_time", "network_size"]}}`,
}

// TestMPIServe: the answers of nest-mpi-mpi serve on 2 and 4 ranks are those of nest-mpi serve on
// one process (the kernels have 4 virtual processes each), errors of some ranks only included.
func TestMPIServe(t *testing.T) {
	mpirun, mbin := mpiBinary(t)
	input := `{"SetKernelStatus": {"total_num_virtual_procs": 4}}` + "\n" + strings.Join(serveCalls, "\n") + "\n"
	serial := exec.Command(bin, "serve")
	serial.Stdin = strings.NewReader(input)
	want, err := serial.Output()
	if err != nil {
		t.Fatalf("serve: %v", err)
	}
	if n := bytes.Count(want, []byte("\n")); n != len(serveCalls)+1 {
		t.Fatalf("serve gave %d answers for %d calls:\n%s", n, len(serveCalls)+1, want)
	}
	for _, np := range []string{"2", "4"} {
		cmd := exec.Command(mpirun, "--oversubscribe", "--bind-to", "none", "-np", np, mbin, "serve")
		cmd.Env = append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
		cmd.Stdin = strings.NewReader(input)
		got, err := cmd.Output()
		if err != nil {
			t.Fatalf("np %s: %v", np, err)
		}
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		if len(gl) != len(wl) {
			t.Fatalf("np %s: %d answer lines, want %d:\n%s", np, len(gl), len(wl), got)
		}
		for i := range wl {
			if gl[i] != wl[i] {
				t.Errorf("np %s: answer %d\n got %s\nwant %s", np, i, gl[i], wl[i])
			}
		}
	}
}
