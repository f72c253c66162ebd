package netfile

import (
	"strings"
	"testing"
)

// TestNonFinite checks that NaN and infinite parameter values are refused where a finite value is
// required (1e400 reads as +inf) and accepted where NEST means them (stop = inf, V_min = -inf).
func TestNonFinite(t *testing.T) {
	two := `{"Create": {"model": "iaf_psc_alpha", "n": 2, "as": "n"}}`
	cases := []struct {
		name  string
		calls []string
		want  string // "" means the run must succeed
	}{
		{"neuron 1e400", []string{`{"Create": {"model": "iaf_psc_alpha", "params": {"I_e": 1e400}}}`},
			"script[0] Create: BadProperty: iaf_psc_alpha: parameter I_e must be a finite number, got inf"},
		{"neuron -1e400", []string{two, `{"SetStatus": {"nodes": "n", "params": {"V_m": -1e400}}}`},
			"script[1] SetStatus: BadProperty: SetStatus of node 1: iaf_psc_alpha: parameter V_m must be a finite number, got -inf"},
		{"neuron string inf", []string{`{"Create": {"model": "iaf_psc_alpha", "params": {"tau_m": "inf"}}}`},
			"BadProperty: iaf_psc_alpha: parameter tau_m must be a finite number"},
		{"neuron list", []string{`{"Create": {"model": "iaf_psc_alpha", "n": 2, "params": {"I_e": [1.0, 1e400]}}}`},
			"parameter I_e must be a finite number"},
		{"defaults", []string{`{"SetDefaults": {"model": "iaf_psc_alpha", "params": {"C_m": 1e999}}}`},
			"script[0] SetDefaults: BadProperty: iaf_psc_alpha: parameter C_m must be a finite number"},
		{"device", []string{`{"Create": {"model": "poisson_generator", "params": {"rate": 1e400}}}`},
			"BadProperty: node 1: poisson_generator: parameter rate must be a finite number"},
		{"device start", []string{`{"Create": {"model": "spike_recorder", "params": {"start": 1e400}}}`},
			"BadProperty: node 1: spike_recorder: parameter start must be a finite number"},
		{"weight", []string{two, `{"Connect": {"pre": "n", "post": "n", "syn_spec": {"weight": 1e400}}}`},
			"script[1] Connect: BadProperty: Connect: static_synapse: parameter weight must be a finite number, got inf"},
		{"weight array", []string{two, `{"Connect": {"pre": "n", "post": "n", "conn_spec": "one_to_one", "syn_spec": {"weight": [1.0, -1e400]}}}`},
			"BadProperty: Connect: static_synapse: parameter weight must be a finite number, got -inf"},
		{"delay", []string{two, `{"Connect": {"pre": "n", "post": "n", "syn_spec": {"delay": 1e400}}}`},
			"script[1] Connect: BadDelay: Connect: static_synapse: the delay must be a finite number of ms, got inf"},
		{"synapse parameter", []string{two, `{"Connect": {"pre": "n", "post": "n", "syn_spec": {"synapse_model": "tsodyks2_synapse", "U": 1e400}}}`},
			"BadProperty: Connect: tsodyks2_synapse: parameter U must be a finite number"},
		{"synapse defaults", []string{`{"SetDefaults": {"model": "stdp_synapse", "params": {"tau_plus": 1e400}}}`},
			"script[0] SetDefaults: BadProperty: "},
		{"stop inf", []string{`{"Create": {"model": "spike_recorder", "params": {"stop": 1e400}}}`, `{"Simulate": 1.0}`}, ""},
		{"stop string inf", []string{`{"Create": {"model": "spike_recorder", "params": {"stop": "inf"}}}`, `{"Simulate": 1.0}`}, ""},
		{"stop -inf", []string{`{"Create": {"model": "spike_recorder", "params": {"stop": "-inf"}}}`}, "parameter stop must be a finite number"},
		{"V_min -inf", []string{`{"Create": {"model": "iaf_psc_alpha", "params": {"V_min": "-inf"}}}`}, ""},
		{"V_min inf", []string{`{"Create": {"model": "iaf_psc_alpha", "params": {"V_min": 1e400}}}`}, "parameter V_min must be a finite number"},
		{"kernel resolution", []string{`{"SetKernelStatus": {"resolution": 1e400}}`}, "script[0] SetKernelStatus: BadProperty: "},
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
