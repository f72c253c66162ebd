package netfile

import (
	"reflect"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
)

func TestConnectIDArrays(t *testing.T) {
	sink, _ := mustRun(t, script(
		`{"Create": {"model": "iaf_psc_alpha", "n": 3, "as": "n"}}`,
		`{"Connect": {"pre": {"ids": [1, 1, 3]}, "post": {"ids": [2, 3, 2]}, "conn_spec": "one_to_one", "syn_spec": {"weight": [1.5, 2.5, 3.5], "delay": [1.0, 2.0, 3.0]}}}`,
		`{"Connect": {"pre": "n[0:2]", "post": {"ids": [2, 2]}, "syn_spec": {"weight": 9.0}}}`,
		`{"GetConnections": {"keys": ["source", "target", "weight", "delay"], "to": "c.csv"}}`,
	), Options{})
	got := readCSV(t, sink, "c.csv")
	want := [][]string{{"source", "target", "weight", "delay"},
		{"1", "2", "1.5", "1"}, {"1", "2", "9", "1"}, {"1", "3", "2.5", "2"}, {"2", "2", "9", "1"}, {"3", "2", "3.5", "3"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("c.csv = %v, want %v", got, want)
	}
	for _, tc := range []struct{ call, kind string }{
		{`{"Connect": {"pre": {"ids": [1, 2]}, "post": {"ids": [2]}}}`, string(status.DimensionMismatch)},
		{`{"Connect": {"pre": {"ids": [1]}, "post": {"ids": [2]}, "conn_spec": "all_to_all"}}`, string(status.BadProperty)},
		{`{"Connect": {"pre": {"ids": [0]}, "post": {"ids": [2]}}}`, string(status.TypeMismatch)},
		{`{"Connect": {"pre": {"ids": [1], "x": 1}, "post": {"ids": [2]}}}`, string(status.BadProperty)},
		{`{"Connect": {"pre": {"ids": [9]}, "post": {"ids": [2]}}}`, string(status.UnknownNode)},
	} {
		_, _, err := runSrc(t, script(`{"Create": {"model": "iaf_psc_alpha", "n": 3}}`, tc.call), Options{})
		if err == nil || status.KindOf(err) != status.Kind(tc.kind) {
			t.Errorf("%s: error %v, want %s", tc.call, err, tc.kind)
		}
	}
}

func TestParseCall(t *testing.T) {
	tests := []struct {
		line, name string
		value      any
		err        string
	}{
		{`{"Simulate": 10}`, "Simulate", int64(10), ""},
		{`{"Create": {"n": {"$array": "int64", "data": "AQAAAAAAAAA="}}}`, "Create", map[string]any{"n": []int64{1}}, ""},
		{`{"x": [{"$array": "float64", "data": "AAAAAAAA+D8="}]}`, "x", []any{[]float64{1.5}}, ""},
		{`{"x": {"$array": "int32", "data": ""}}`, "", nil, "float64"},
		{`{"x": {"$array": "int64", "data": "AQ=="}}`, "", nil, "typed array"},
		{`[1]`, "", nil, "exactly one key"},
		{`{}`, "", nil, "exactly one key"},
		{`{"a": 1`, "", nil, "invalid JSON"},
	}
	for _, tc := range tests {
		name, value, err := ParseCall([]byte(tc.line))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.line, err, tc.err)
			}
			continue
		}
		if err != nil || name != tc.name || !reflect.DeepEqual(value, tc.value) {
			t.Errorf("%s: %q %#v %v", tc.line, name, value, err)
		}
	}
}

func TestSessionCalls(t *testing.T) {
	s, err := NewSession(Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	steps := []struct {
		name  string
		value any
		want  any    // checked when not nil
		err   string // error kind
	}{
		{"Create", map[string]any{"model": "iaf_psc_alpha", "n": int64(2)}, map[string]any{"first": int64(1), "last": int64(2)}, ""},
		{"Create", map[string]any{"model": "nope"}, nil, "UnknownModelName"},
		{"GetStatus", map[string]any{"nodes": []int64{2}, "keys": "global_id"}, []any{map[string]any{"global_id": int64(2)}}, ""},
		{"GetStatus", map[string]any{"nodes": []int64{2}, "to": "x.csv"}, nil, "UnaccessedDictionaryEntry"},
		{"Connect", map[string]any{"pre": []any{int64(1)}, "post": []any{int64(2)}}, nil, ""},
		{"SetConnections", map[string]any{"params": map[string]any{"weight": 2.5}}, nil, ""},
		{"GetConnections", map[string]any{"keys": []any{"weight"}}, map[string]any{"keys": []string{"weight"}, "columns": []any{[]float64{2.5}}, "n": int64(1)}, ""},
		{"SetConnections", map[string]any{"params": map[string]any{"weight": []any{1.0, 2.0}}}, nil, "DimensionMismatch"},
		{"Models", nil, nil, ""},
		{"help", map[string]any{"model": "iaf_psc_alpha"}, nil, "NotImplemented"},
		{"Run", 1.0, nil, "KernelException"},
		{"Prepare", map[string]any{}, nil, ""},
		{"Run", int64(5), nil, ""},
		{"Cleanup", nil, nil, ""},
		{"GetKernelStatus", map[string]any{"keys": []any{"biological_time", "num_connections"}}, map[string]any{"biological_time": 5.0, "num_connections": int64(1)}, ""},
		{"Frobnicate", nil, nil, "NotImplemented"},
	}
	for i, st := range steps {
		got, err := s.Call(st.name, st.value)
		if st.err != "" {
			if err == nil || string(status.KindOf(err)) != st.err {
				t.Errorf("step %d %s: error %v, want %s", i, st.name, err, st.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("step %d %s: %v", i, st.name, err)
			continue
		}
		if st.want != nil && !reflect.DeepEqual(got, st.want) {
			t.Errorf("step %d %s: %#v, want %#v", i, st.name, got, st.want)
		}
	}
}
