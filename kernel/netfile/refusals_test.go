package netfile

import (
	"strings"
	"testing"
)

// TestNESTRefusals checks the calls NEST 3.9 refuses where a lax reading would accept them:
// read-only keys, floats for integer kernel keys and slices past the end of a collection.
func TestNESTRefusals(t *testing.T) {
	neuron := `{"Create": {"model": "iaf_psc_alpha", "n": 3, "as": "n"}}`
	recorder := `{"Create": {"model": "spike_recorder", "as": "sr"}}`
	cases := []struct {
		name  string
		calls []string
		want  string // the error contains it; "" means the run must succeed
	}{
		{"t_spike read-only", []string{neuron, `{"SetStatus": {"nodes": "n", "params": {"t_spike": 5.0}}}`},
			"script[1] SetStatus: UnaccessedDictionaryEntry: SetStatus of node 1: iaf_psc_alpha: unaccessed elements in dictionary: t_spike (read-only"},
		{"post_trace read-only", []string{neuron, `{"SetStatus": {"nodes": "n[0]", "params": {"post_trace": 1.0}}}`},
			"UnaccessedDictionaryEntry: SetStatus of node 1: iaf_psc_alpha: unaccessed elements in dictionary: post_trace (read-only"},
		{"t_spike at Create", []string{`{"Create": {"model": "iaf_psc_alpha", "params": {"t_spike": 1.0}}}`},
			"script[0] Create: UnaccessedDictionaryEntry: "},
		{"events read-only", []string{recorder, `{"SetStatus": {"nodes": "sr", "params": {"events": {}}}}`},
			"script[1] SetStatus: UnaccessedDictionaryEntry: SetStatus of node 1: spike_recorder: unaccessed elements in dictionary: events (read-only"},
		{"n_events 0 still clears", []string{recorder, `{"SetStatus": {"nodes": "sr", "params": {"n_events": 0}}}`}, ""},
		{"threads as float", []string{`{"SetKernelStatus": {"local_num_threads": 2.0}}`},
			"script[0] SetKernelStatus: TypeMismatch: "},
		{"vps as float", []string{`{"SetKernelStatus": {"total_num_virtual_procs": 1.0}}`},
			"script[0] SetKernelStatus: TypeMismatch: "},
		{"threads as integer", []string{`{"SetKernelStatus": {"local_num_threads": 2}}`}, ""},
		{"integer for a double", []string{`{"Create": {"model": "iaf_psc_alpha", "params": {"I_e": 376}}}`}, ""},
		{"slice past the end", []string{neuron, `{"SetStatus": {"nodes": "n[5:1000]", "params": {"I_e": 1.0}}}`},
			"script[1] SetStatus: IndexError: nodes: node reference \"n[5:1000]\": slice start 5 is out of range for a NodeCollection of 3 nodes"},
		{"slice stop past the end", []string{neuron, `{"SetStatus": {"nodes": "n[1:4]", "params": {"I_e": 1.0}}}`},
			"IndexError: "},
		{"slice to the end", []string{neuron, `{"SetStatus": {"nodes": "n[1:3]", "params": {"I_e": 1.0}}}`}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runSrc(t, script(c.calls...), Options{})
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.want == "":
			case err == nil:
				t.Fatalf("no error, want %q", c.want)
			case !strings.Contains(err.Error(), c.want):
				t.Errorf("error\n  %s\nwant it to contain\n  %s", err, c.want)
			}
		})
	}
}
