package serve

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// session runs calls through Serve and returns the answers, one a line.
func session(t *testing.T, calls ...string) []string {
	t.Helper()
	var out bytes.Buffer
	if err := Serve(strings.NewReader(strings.Join(calls, "\n")+"\n"), &out, Options{
		Help: func(model string) (string, error) { return "doc of " + model, nil },
	}); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
}

func TestServeAnswers(t *testing.T) {
	tests := []struct {
		name, call, want string
	}{
		{"create", `{"Create": {"model": "iaf_psc_alpha", "n": 3}}`, `{"ok":{"first":4,"last":6}}`},
		{"unknown model", `{"Create": {"model": "nope"}}`, `{"error":{"name":"UnknownModelName",`},
		{"bad json", `{"Create": `, `{"error":{"name":"BadProperty","message":"invalid JSON`},
		{"two keys", `{"Create": {}, "Simulate": 1}`, `{"error":{"name":"BadProperty","message":"a call is an object with exactly one key`},
		{"unknown call", `{"Frobnicate": {}}`, `{"error":{"name":"NotImplemented","message":"unknown call \"Frobnicate\"`},
		{"floats keep a point", `{"GetStatus": {"nodes": [1], "keys": ["V_m", "V_min"]}}`, `{"ok":[{"V_m":-70.0,"V_min":-Infinity}]}`},
		{"kernel status", `{"GetKernelStatus": {"keys": ["resolution"]}}`, `{"ok":{"resolution":0.1}}`},
		{"bad kernel key", `{"GetKernelStatus": {"keys": ["nope"]}}`, `{"error":{"name":`},
		{"defaults", `{"GetDefaults": {"model": "iaf_psc_alpha", "keys": ["C_m"]}}`, `{"ok":{"C_m":250.0}}`},
		{"help", `{"help": {"model": "iaf_psc_alpha"}}`, `{"ok":"doc of iaf_psc_alpha"}`},
		{"prepare", `{"Prepare": {}}`, `{"ok":null}`},
		{"run", `{"Run": 10}`, `{"ok":null}`},
		{"cleanup", `{"Cleanup": null}`, `{"ok":null}`},
		{"run args", `{"Prepare": {"x": 1}}`, `{"error":{"name":"UnaccessedDictionaryEntry",`},
		{"time went on", `{"GetKernelStatus": {"keys": ["biological_time"]}}`, `{"ok":{"biological_time":10.0}}`},
	}
	calls := []string{`{"Create": {"model": "iaf_psc_alpha", "n": 3}}`}
	for _, tc := range tests {
		calls = append(calls, tc.call)
	}
	got := session(t, calls...)
	if len(got) != len(calls) {
		t.Fatalf("%d answers for %d calls: %q", len(got), len(calls), got)
	}
	for i, tc := range tests {
		if !strings.HasPrefix(got[i+1], tc.want) {
			t.Errorf("%s: answer %s, want it to start with %s", tc.name, got[i+1], tc.want)
		}
	}
}

// typedFloats encodes xs as a typed array of the protocol.
func typedFloats(xs ...float64) string {
	raw := make([]byte, 8*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint64(raw[8*i:], math.Float64bits(x))
	}
	return `{"$array":"float64","data":"` + base64.StdEncoding.EncodeToString(raw) + `"}`
}

func TestServeTypedArrays(t *testing.T) {
	got := session(t,
		`{"Create": {"model": "iaf_psc_alpha", "n": 3, "params": {"V_m": `+typedFloats(-60.5, -61.5, -62.5)+`}}}`,
		`{"GetStatus": {"nodes": `+`{"$array":"int64","data":"AQAAAAAAAAADAAAAAAAAAA=="}`+`, "keys": "V_m"}}`,
		`{"Connect": {"pre": {"ids": [1, 1, 2]}, "post": {"ids": [2, 3, 3]}, "syn_spec": {"weight": `+typedFloats(1, 2, 3)+`}}}`,
		`{"GetConnections": {"keys": ["weight"]}}`,
		`{"Create": {"model": "iaf_psc_alpha", "params": {"V_m": {"$array": "float64", "data": "???"}}}}`,
	)
	if got[1] != `{"ok":[{"V_m":-60.5},{"V_m":-62.5}]}` {
		t.Errorf("GetStatus with an id array: %s", got[1])
	}
	if want := `{"ok":{"columns":[` + typedFloats(1, 2, 3) + `],"keys":["weight"],"n":3}}`; got[3] != want {
		t.Errorf("GetConnections:\n got %s\nwant %s", got[3], want)
	}
	if !strings.HasPrefix(got[4], `{"error":{"name":"BadProperty","message":"a typed array`) {
		t.Errorf("bad typed array: %s", got[4])
	}
}

func TestServeEndOfInput(t *testing.T) {
	for _, in := range []string{"", "\n\n", `{"Models": {}}`} {
		var out bytes.Buffer
		if err := Serve(strings.NewReader(in), &out, Options{}); err != nil {
			t.Errorf("%q: %v", in, err)
		}
		if n := strings.Count(out.String(), "\n"); n != strings.Count(in, "{\"") {
			t.Errorf("%q: %d answers", in, n)
		}
	}
}
