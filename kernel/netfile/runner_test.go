package netfile

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// runSrc parses and runs a network file with outputs in memory.
func runSrc(t *testing.T, src string, opts Options) (*MemSink, *Result, error) {
	t.Helper()
	f, err := Parse([]byte(src))
	if err != nil {
		return nil, nil, err
	}
	sink := &MemSink{}
	opts.Sink = sink
	res, err := Run(f, opts)
	var pe *PanicError
	if errors.As(err, &pe) {
		t.Fatalf("panic: %v\n%s", pe.Value, pe.Stack)
	}
	return sink, res, err
}

// mustRun runs a file that must succeed.
func mustRun(t *testing.T, src string, opts Options) (*MemSink, *Result) {
	t.Helper()
	sink, res, err := runSrc(t, src, opts)
	if err != nil {
		t.Fatalf("run: %v\nfile: %s", err, src)
	}
	return sink, res
}

// readCSV returns the rows (header first) of an output file.
func readCSV(t *testing.T, sink *MemSink, name string) [][]string {
	t.Helper()
	data, ok := sink.File(name)
	if !ok {
		t.Fatalf("no output %s (have %v)", name, sink.Names())
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}

func script(calls ...string) string {
	return `{"script": [` + strings.Join(calls, ",\n") + `]}`
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src string
		kind      status.Kind
		want      string
	}{
		{"not json", `{"script": [}`, status.BadProperty, "invalid JSON at line 1, column 13"},
		{"truncated", `{"script": [`, status.BadProperty, "unexpected end"},
		{"trailing data", `{"script": []} {}`, status.BadProperty, "after the top-level object"},
		{"array", `[]`, status.TypeMismatch, "must be a JSON object"},
		{"unknown top-level key", `{"script": [], "kernal": {}}`, status.UnaccessedDictionaryEntry, `unknown top-level key "kernal"`},
		{"no script", `{"kernel": {}}`, status.BadProperty, "has no script"},
		{"script not a list", `{"script": {}}`, status.TypeMismatch, "script: expects a list"},
		{"kernel not an object", `{"kernel": 3, "script": []}`, status.TypeMismatch, "kernel: expects an object"},
		{"call with two keys", `{"script": [{"Create": {}, "Simulate": 1}]}`, status.BadProperty, "script[0]: a call is an object with exactly one key"},
		{"call not an object", `{"script": ["Simulate"]}`, status.BadProperty, "script[0]: a call is an object"},
		{"unknown call", `{"script": [{"Simulate": 1}, {"Conect": {}}]}`, status.BadProperty, `script[1]: unknown call "Conect"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.src))
			if err == nil {
				t.Fatal("no error")
			}
			if status.KindOf(err) != c.kind || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q (kind %s), want kind %s containing %q", err, status.KindOf(err), c.kind, c.want)
			}
		})
	}
}

func TestParseNumbers(t *testing.T) {
	f, err := Parse([]byte(`{"comment": "x", "kernel": {"rng_seed": 12, "resolution": 0.1, "big": 1e400, "e": 1e3},
		"script": [{"Simulate": 10}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := f.Kernel["rng_seed"].(int64); !ok || v != 12 {
		t.Errorf("rng_seed = %#v, want int64 12", f.Kernel["rng_seed"])
	}
	if v, ok := f.Kernel["resolution"].(float64); !ok || v != 0.1 {
		t.Errorf("resolution = %#v, want 0.1", f.Kernel["resolution"])
	}
	if v, ok := f.Kernel["e"].(float64); !ok || v != 1000 {
		t.Errorf("1e3 = %#v, want float64 1000", f.Kernel["e"])
	}
	if v, ok := f.Kernel["big"].(float64); !ok || !math.IsInf(v, 1) {
		t.Errorf("1e400 = %#v, want +Inf", f.Kernel["big"])
	}
	if f.Comment != "x" || len(f.Script) != 1 || f.Script[0].Name != "Simulate" || f.Script[0].Value != int64(10) {
		t.Errorf("parsed %+v", f)
	}
}

// TestCallErrors checks that errors name the call's position, the call and NEST's error kind.
func TestCallErrors(t *testing.T) {
	cases := []struct {
		name  string
		calls []string
		want  string // prefix of the error
	}{
		{"unknown model", []string{`{"Create": {"model": "iaf_psc_beta"}}`}, "script[0] Create: UnknownModelName: "},
		{"bad delay", []string{
			`{"Create": {"model": "iaf_psc_alpha", "n": 2, "as": "n"}}`,
			`{"SetKernelStatus": {"print_time": false}}`,
			`{"Connect": {"pre": "n", "post": "n", "syn_spec": {"delay": 0.01}}}`,
		}, "script[2] Connect: BadDelay: "},
		{"unknown parameter", []string{`{"Create": {"model": "iaf_psc_alpha", "params": {"foo": 1.0}}}`}, "script[0] Create: UnaccessedDictionaryEntry: "},
		{"unknown argument", []string{`{"Create": {"modle": "iaf_psc_alpha"}}`}, `script[0] Create: UnaccessedDictionaryEntry: unknown key "modle"`},
		{"missing model", []string{`{"Create": {"n": 2}}`}, "script[0] Create: BadProperty: the argument model is missing"},
		{"n not an integer", []string{`{"Create": {"model": "iaf_psc_alpha", "n": 1.5}}`}, "script[0] Create: TypeMismatch: n:"},
		{"n zero", []string{`{"Create": {"model": "iaf_psc_alpha", "n": 0}}`}, "script[0] Create: BadParameter: "},
		{"params list length", []string{`{"Create": {"model": "iaf_psc_alpha", "n": 3, "params": [{}, {}]}}`}, "script[0] Create: DimensionMismatch: "},
		{"bad name", []string{`{"Create": {"model": "iaf_psc_alpha", "as": "../x"}}`}, "script[0] Create: BadProperty: as:"},
		{"simulate string", []string{`{"Simulate": "100"}`}, "script[0] Simulate: TypeMismatch: "},
		{"simulate negative", []string{`{"Simulate": -1}`}, "script[0] Simulate: KernelException: "},
		{"reset with args", []string{`{"ResetKernel": {"x": 1}}`}, "script[0] ResetKernel: UnaccessedDictionaryEntry: "},
		{"unknown name", []string{`{"Create": {"model": "iaf_psc_alpha", "as": "a"}}`, `{"SetStatus": {"nodes": "b", "params": {"I_e": 1.0}}}`}, `script[1] SetStatus: UnknownNode: nodes: no node collection is named "b"; the names are a`},
		{"bad kernel key in call", []string{`{"SetKernelStatus": {"resolutoin": 0.1}}`}, "script[0] SetKernelStatus: UnaccessedDictionaryEntry: "},
		{"setdefaults without params", []string{`{"SetDefaults": {"model": "iaf_psc_alpha"}}`}, "script[0] SetDefaults: BadProperty: "},
		{"copymodel existing", []string{`{"CopyModel": {"old": "iaf_psc_alpha", "new": "iaf_psc_delta"}}`}, "script[0] CopyModel: NewModelNameExists: "},
		{"connect bad rule", []string{`{"Create": {"model": "iaf_psc_alpha", "as": "a"}}`, `{"Connect": {"pre": "a", "post": "a", "conn_spec": "one_to_all"}}`}, "script[1] Connect: BadProperty: "},
		{"connect missing post", []string{`{"Create": {"model": "iaf_psc_alpha", "as": "a"}}`, `{"Connect": {"pre": "a"}}`}, "script[1] Connect: BadProperty: the argument post is missing"},
		{"connect syn_spec number", []string{`{"Create": {"model": "iaf_psc_alpha", "as": "a"}}`, `{"Connect": {"pre": "a", "post": "a", "syn_spec": 3}}`}, "script[1] Connect: TypeMismatch: syn_spec"},
		{"bad distribution", []string{`{"Create": {"model": "iaf_psc_alpha", "n": 2, "params": {"V_m": {"distribution": "gauss"}}}}`}, "script[0] Create: "},
		{"getstatus bad key", []string{`{"Create": {"model": "iaf_psc_alpha", "as": "a"}}`, `{"GetStatus": {"nodes": "a", "keys": ["nope"], "to": "x.csv"}}`}, "script[1] GetStatus: KeyError: "},
		{"getstatus bad to", []string{`{"Create": {"model": "iaf_psc_alpha", "as": "a"}}`, `{"GetStatus": {"nodes": "a", "to": "../x.csv"}}`}, "script[1] GetStatus: BadProperty: to:"},
		{"getstatus to run.json", []string{`{"Create": {"model": "iaf_psc_alpha", "as": "a"}}`, `{"GetStatus": {"nodes": "a", "to": "run.json"}}`}, "script[1] GetStatus: BadProperty: to:"},
		{"same output twice", []string{`{"Create": {"model": "iaf_psc_alpha", "as": "a"}}`,
			`{"GetStatus": {"nodes": "a", "to": "x.csv"}}`, `{"GetStatus": {"nodes": "a", "to": "x.csv"}}`}, "script[2] GetStatus: BadProperty: output file \"x.csv\" is written twice"},
		{"getconnections bad model", []string{`{"GetConnections": {"synapse_model": "nope"}}`}, "script[0] GetConnections: UnknownSynapseType: "},
		{"recorder name clashes with a table", []string{`{"Create": {"model": "spike_recorder", "as": "sr"}}`,
			`{"GetStatus": {"nodes": "sr", "keys": "n_events", "to": "sr.csv"}}`}, "output: BadProperty: output file \"sr.csv\" is written twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runSrc(t, script(c.calls...), Options{})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error\n  %s\nwant prefix\n  %s", err, c.want)
			}
			var ce *CallError
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *CallError", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error has several lines: %q", err)
			}
		})
	}
}

func TestKernelBlockError(t *testing.T) {
	_, _, err := runSrc(t, `{"kernel": {"resolution": -1}, "script": []}`, Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "kernel: BadProperty: ") {
		t.Errorf("error %v, want kernel: BadProperty: ...", err)
	}
}

// ids returns the global_id column of a GetStatus table.
func ids(t *testing.T, sink *MemSink, name string) []int {
	t.Helper()
	rows := readCSV(t, sink, name)
	if len(rows) == 0 || len(rows[0]) != 1 || rows[0][0] != "global_id" {
		t.Fatalf("%s: header %v, want [global_id]", name, rows)
	}
	var out []int
	for _, r := range rows[1:] {
		n, err := strconv.Atoi(r[0])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func TestNodeReferences(t *testing.T) {
	setup := []string{
		`{"Create": {"model": "iaf_psc_alpha", "n": 5, "as": "a"}}`,
		`{"Create": {"model": "iaf_psc_delta", "n": 3, "as": "b"}}`,
	}
	ok := []struct {
		ref  string
		want []int
	}{
		{`"a"`, []int{1, 2, 3, 4, 5}},
		{`"b"`, []int{6, 7, 8}},
		{`"a[1:3]"`, []int{2, 3}},
		{`"a[::2]"`, []int{1, 3, 5}},
		{`"a[1::2]"`, []int{2, 4}},
		{`"a[-2:]"`, []int{4, 5}},
		{`"a[:-3]"`, []int{1, 2}},
		{`"a[-1]"`, []int{5}},
		{`"a[0]"`, []int{1}},
		{`"a[ 1 : 4 ]"`, []int{2, 3, 4}},
		{`"a[1:][::2]"`, []int{2, 4}},
		{`"a[3:5]"`, []int{4, 5}},
		{`"a[-5:]"`, []int{1, 2, 3, 4, 5}},
		{`["a[0]", "b"]`, []int{1, 6, 7, 8}},
		{`["b", "a[4]"]`, []int{5, 6, 7, 8}}, // tables are sorted by node id
		{`[2, 4]`, []int{2, 4}},
		{`["a[0]", 8]`, []int{1, 8}},
		{`7`, []int{7}},
	}
	for _, c := range ok {
		t.Run(c.ref, func(t *testing.T) {
			calls := append(slices.Clone(setup), `{"GetStatus": {"nodes": `+c.ref+`, "keys": "global_id", "to": "ids.csv"}}`)
			sink, _ := mustRun(t, script(calls...), Options{})
			if got := ids(t, sink, "ids.csv"); !slices.Equal(got, c.want) {
				t.Errorf("%s = %v, want %v", c.ref, got, c.want)
			}
		})
	}
	bad := []struct {
		ref, want string
	}{
		{`"c"`, `UnknownNode: nodes: no node collection is named "c"`},
		{`"a[1:2:0]"`, "BadParameter: nodes: node reference \"a[1:2:0]\": slice step cannot be zero"},
		{`"a[::-1]"`, "BadParameter: nodes: node reference \"a[::-1]\": node collections cannot be sliced with a negative step"},
		{`"a[10]"`, "RangeCheck: "},
		{`"a[3:100]"`, "IndexError: nodes: node reference \"a[3:100]\": slice stop 100 is out of range for a NodeCollection of 5 nodes"},
		{`"a[6:]"`, "IndexError: "},
		{`"a[-6:]"`, "IndexError: "},
		{`"a[x]"`, `BadParameter: nodes: node reference "a[x]": "x" is not an integer`},
		{`"a[1"`, "missing ']'"},
		{`"a[1]x"`, "expected name[start:stop:step]"},
		{`"a[1:2:3:4]"`, "at most three parts"},
		{`["a", "a"]`, "BadProperty: "},
		{`[0]`, "TypeMismatch: nodes[0]"},
		{`[99]`, "UnknownNode: "},
		{`[1.5]`, "TypeMismatch: "},
		{`{"x": 1}`, "TypeMismatch: nodes: expects a node reference"},
		{`null`, "TypeMismatch: nodes: expects a node reference"},
		{`true`, "TypeMismatch: nodes: expects a node reference"},
	}
	for _, c := range bad {
		t.Run("bad "+c.ref, func(t *testing.T) {
			calls := append(slices.Clone(setup), `{"GetStatus": {"nodes": `+c.ref+`, "keys": "global_id"}}`)
			_, _, err := runSrc(t, script(calls...), Options{})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "script[2] GetStatus: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want script[2] GetStatus: ...%s...", err, c.want)
			}
		})
	}
}

func TestCreateAndSetStatus(t *testing.T) {
	sink, res := mustRun(t, script(
		`{"Create": {"model": "iaf_psc_alpha", "n": 3, "params": {"I_e": [100.0, 200, 300.5], "C_m": 200}, "as": "a"}}`,
		`{"Create": {"model": "iaf_psc_alpha", "params": [{"I_e": 1.0}, {"I_e": 2.0}], "as": "b"}}`,
		`{"SetStatus": {"nodes": "b[1]", "params": {"V_th": -50.0}}}`,
		`{"SetStatus": {"nodes": "a[0:2]", "params": [{"V_m": -60.0}, {"V_m": -61.0}]}}`,
		`{"CopyModel": {"old": "iaf_psc_alpha", "new": "my_neuron", "params": {"tau_m": 20.0}}}`,
		`{"SetDefaults": {"model": "my_neuron", "params": {"t_ref": 3.0}}}`,
		`{"Create": {"model": "my_neuron", "as": "c"}}`,
		`{"GetStatus": {"nodes": ["a", "b", "c"], "keys": ["global_id", "model", "I_e", "C_m", "V_th", "V_m", "tau_m", "t_ref"], "to": "status.csv"}}`,
	), Options{})
	want := [][]string{
		{"global_id", "model", "I_e", "C_m", "V_th", "V_m", "tau_m", "t_ref"},
		{"1", "iaf_psc_alpha", "100", "200", "-55", "-60", "10", "2"},
		{"2", "iaf_psc_alpha", "200", "200", "-55", "-61", "10", "2"},
		{"3", "iaf_psc_alpha", "300.5", "200", "-55", "-70", "10", "2"},
		{"4", "iaf_psc_alpha", "1", "250", "-55", "-70", "10", "2"},
		{"5", "iaf_psc_alpha", "2", "250", "-50", "-70", "10", "2"},
		{"6", "my_neuron", "0", "250", "-55", "-70", "20", "3"},
	}
	if got := readCSV(t, sink, "status.csv"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("status.csv:\n%v\nwant\n%v", got, want)
	}
	if res.Nodes != 6 {
		t.Errorf("%d nodes, want 6", res.Nodes)
	}
}

// TestGetStatusAllKeys checks a table without keys: global_id first (spec-format), then every
// key, sorted, one row per node; a table with keys has global_id first too.
func TestGetStatusAllKeys(t *testing.T) {
	var out bytes.Buffer
	sink, _ := mustRun(t, script(
		`{"Create": {"model": "iaf_psc_alpha", "n": 2, "as": "a"}}`,
		`{"GetStatus": {"nodes": "a", "to": "sub/all.csv"}}`,
		`{"GetStatus": {"nodes": "a[1]", "keys": "V_m"}}`,
	), Options{Out: &out})
	rows := readCSV(t, sink, "sub/all.csv")
	if len(rows) != 3 || rows[0][0] != "global_id" || !sort.StringsAreSorted(rows[0][1:]) || !slices.Contains(rows[0], "V_m") || !slices.Contains(rows[0], "recordables") {
		t.Errorf("all keys table: %v", rows)
	}
	if got := out.String(); got != "global_id,V_m\n2,-70\n" {
		t.Errorf("GetStatus without to printed %q, want a table on Out", got)
	}
}

func TestConnectAndGetConnections(t *testing.T) {
	sink, res := mustRun(t, `{"kernel": {"rng_seed": 3}, "script": [
		{"Create": {"model": "iaf_psc_alpha", "n": 4, "as": "n"}},
		{"Create": {"model": "poisson_generator", "params": {"rate": 1000.0}, "as": "pg"}},
		{"Connect": {"pre": "n[0:2]", "post": "n[2:4]", "conn_spec": "one_to_one", "syn_spec": {"weight": 2.5, "delay": 1.5}}},
		{"Connect": {"pre": "n[0]", "post": "n[1:]", "conn_spec": {"rule": "all_to_all", "allow_autapses": false}, "syn_spec": "stdp_synapse"}},
		{"Connect": {"pre": "pg", "post": "n", "syn_spec": {"weight": {"distribution": "uniform", "min": 1.0, "max": 2.0}}}},
		{"Connect": {"pre": "n[3]", "post": "n[0]", "syn_spec": {"synapse_model": "static_synapse", "weight": -1, "delay": {"distribution": "uniform", "min": 1.0, "max": 2.0, "redraw": {"min": 1.2}}}}},
		{"GetConnections": {"source": "n", "keys": ["source", "target", "synapse_model", "weight", "delay"], "to": "conns.csv"}},
		{"GetConnections": {"source": "pg", "target": "n[1:3]", "to": "pg.csv"}},
		{"GetConnections": {"synapse_model": "stdp_synapse", "keys": "target", "to": "stdp.csv"}},
		{"GetConnections": {"source": "n[0]", "to": "mixed.csv"}}
	]}`, Options{})
	mixed := readCSV(t, sink, "mixed.csv")
	tp := slices.Index(mixed[0], "tau_plus")
	if len(mixed) != 5 || !slices.Equal(mixed[0][:9], []string{"source", "target", "target_thread", "synapse_id", "synapse_model", "port", "receptor", "delay", "weight"}) || tp < 0 {
		t.Fatalf("mixed.csv: %v", mixed)
	}
	for _, r := range mixed[1:] {
		if (r[4] == "static_synapse") != (r[tp] == "") {
			t.Errorf("mixed.csv row %v: tau_plus cell %q", r, r[tp])
		}
	}
	rows := readCSV(t, sink, "conns.csv")
	wantPairs := [][2]string{{"1", "2"}, {"1", "3"}, {"1", "3"}, {"1", "4"}, {"2", "4"}, {"4", "1"}}
	if len(rows) != len(wantPairs)+1 {
		t.Fatalf("conns.csv: %v", rows)
	}
	for i, p := range wantPairs {
		if rows[i+1][0] != p[0] || rows[i+1][1] != p[1] {
			t.Errorf("row %d: %v, want source %s target %s (sorted by source, target, model)", i+1, rows[i+1], p[0], p[1])
		}
	}
	if !slices.Equal(rows[2], []string{"1", "3", "static_synapse", "2.5", "1.5"}) || rows[3][2] != "stdp_synapse" {
		t.Errorf("rows 2 and 3: %v %v", rows[2], rows[3])
	}
	if d, _ := strconv.ParseFloat(rows[6][4], 64); rows[6][3] != "-1" || d < 1.2 || d > 2.0 {
		t.Errorf("redrawn delay row: %v", rows[6])
	}
	pg := readCSV(t, sink, "pg.csv")
	if len(pg) != 3 || !slices.Equal(pg[0][:3], []string{"source", "target", "target_thread"}) || pg[1][0] != "5" || pg[2][1] != "3" {
		t.Errorf("pg.csv: %v", pg)
	}
	for _, r := range pg[1:] {
		w, _ := strconv.ParseFloat(r[slices.Index(pg[0], "weight")], 64)
		if w < 1 || w > 2 {
			t.Errorf("uniform weight %v outside [1, 2]", w)
		}
	}
	if got := readCSV(t, sink, "stdp.csv"); !slices.EqualFunc(got, [][]string{{"target"}, {"2"}, {"3"}, {"4"}}, slices.Equal) {
		t.Errorf("stdp.csv: %v", got)
	}
	if res.Connections != 10 {
		t.Errorf("%d connections, want 10", res.Connections)
	}
}

func TestSimulateContinuesAndReset(t *testing.T) {
	sink, res := mustRun(t, script(
		`{"Create": {"model": "iaf_psc_alpha", "params": {"I_e": 376.0}, "as": "n"}}`,
		`{"Create": {"model": "spike_recorder", "as": "sr"}}`,
		`{"Connect": {"pre": "n", "post": "sr"}}`,
		`{"Simulate": 100}`,
		`{"Simulate": 50.5}`,
		`{"GetStatus": {"nodes": "sr", "keys": ["n_events"], "to": "before.csv"}}`,
		`{"ResetKernel": {}}`,
		`{"Create": {"model": "iaf_psc_delta", "as": "m"}}`,
		`{"Simulate": 10}`,
	), Options{})
	if got := readCSV(t, sink, "before.csv"); got[1][0] != "2" { // spikes at 59.3 and 120.6
		t.Errorf("n_events before reset: %v, want 2", got)
	}
	if _, ok := sink.File("sr.csv"); ok {
		t.Error("sr.csv written for a recorder forgotten by ResetKernel")
	}
	if res.BiologicalTime != 10 || res.SimulatedMs != 160.5 || res.Nodes != 1 {
		t.Errorf("result %+v, want biological_time 10, 160.5 ms simulated, 1 node", res)
	}
	_, _, err := runSrc(t, script(
		`{"Create": {"model": "iaf_psc_alpha", "as": "n"}}`,
		`{"ResetKernel": null}`,
		`{"SetStatus": {"nodes": "n", "params": {"I_e": 1.0}}}`,
	), Options{})
	if err == nil || !strings.Contains(err.Error(), `script[2] SetStatus: UnknownNode: nodes: no node collection is named "n" (no names are defined`) {
		t.Errorf("a name after ResetKernel: %v", err)
	}
}

// TestRecorderOutputs checks the recorder tables: columns, sorting, n>1 recorders, multimeters
// with several variables, record_to other than memory, and run.json.
func TestRecorderOutputs(t *testing.T) {
	dir := t.TempDir()
	sink, res := mustRun(t, `{"kernel": {"local_num_threads": 2, "data_path": `+strconv.Quote(dir)+`}, "script": [
		{"Create": {"model": "iaf_psc_alpha", "n": 4, "params": {"I_e": [376.0, 380.0, 390.0, 400.0]}, "as": "n"}},
		{"Create": {"model": "spike_recorder", "n": 2, "as": "sr"}},
		{"Create": {"model": "spike_recorder", "params": {"record_to": "ascii"}, "as": "file"}},
		{"Create": {"model": "multimeter", "params": {"record_from": ["V_m", "I_syn_ex"], "interval": 5.0}, "as": "mm"}},
		{"Create": {"model": "voltmeter", "params": {"interval": 10.0}, "as": "vm"}},
		{"CopyModel": {"old": "spike_recorder", "new": "my_recorder"}},
		{"Create": {"model": "my_recorder", "as": "mine"}},
		{"Connect": {"pre": "n", "post": "sr[0]"}},
		{"Connect": {"pre": "n[2:]", "post": "sr[1]"}},
		{"Connect": {"pre": "n", "post": ["file", "mine"]}},
		{"Connect": {"pre": "mm", "post": "n[0:2]"}},
		{"Connect": {"pre": "vm", "post": "n[3]"}},
		{"Simulate": 200.0}
	]}`, Options{})
	for _, name := range []string{"sr.csv", "file.csv"} {
		if _, ok := sink.File(name); ok {
			t.Errorf("%s written", name)
		}
	}
	sr0 := readCSV(t, sink, "sr-0.csv")
	if !slices.Equal(sr0[0], []string{"sender", "time_ms"}) || len(sr0) < 10 {
		t.Fatalf("sr-0.csv: %v", sr0)
	}
	checkSorted(t, "sr-0.csv", sr0, 1, 0)
	senders := map[string]bool{}
	for _, r := range sr0[1:] {
		senders[r[0]] = true
	}
	if len(senders) != 4 {
		t.Errorf("sr-0.csv senders %v, want 4", senders)
	}
	sr1 := readCSV(t, sink, "sr-1.csv")
	for _, r := range sr1[1:] {
		if r[0] != "3" && r[0] != "4" {
			t.Errorf("sr-1.csv: sender %s not connected", r[0])
		}
	}
	if mine := readCSV(t, sink, "mine.csv"); !slices.EqualFunc(mine, sr0, slices.Equal) {
		t.Errorf("mine.csv (a copy of spike_recorder) differs from sr-0.csv")
	}
	mm := readCSV(t, sink, "mm.csv")
	if !slices.Equal(mm[0], []string{"sender", "time_ms", "V_m", "I_syn_ex"}) || len(mm) != 1+2*39 {
		t.Errorf("mm.csv: header %v, %d rows; want 78 rows", mm[0], len(mm)-1)
	}
	checkSorted(t, "mm.csv", mm, 1, 0)
	if mm[1][0] != "1" || mm[1][1] != "5" || mm[2][0] != "2" || mm[2][1] != "5" {
		t.Errorf("mm.csv rows 1-2: %v %v", mm[1], mm[2])
	}
	vm := readCSV(t, sink, "vm.csv")
	if !slices.Equal(vm[0], []string{"sender", "time_ms", "V_m"}) || len(vm) != 20 {
		t.Errorf("vm.csv: %v", vm)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.dat"))
	if len(matches) != 2 {
		t.Errorf("ascii recorder files %v, want one per VP", matches)
	}
	var rj RunJSON
	data, _ := sink.File("run.json")
	if err := json.Unmarshal(data, &rj); err != nil {
		t.Fatal(err)
	}
	if rj.Kernel["local_num_threads"] != 2.0 || rj.Kernel["biological_time"] != 200.0 || rj.Kernel["num_processes"] != 1.0 {
		t.Errorf("run.json kernel %v", rj.Kernel)
	}
	if rj.Counts.Spikes != res.Spikes || rj.Counts.Spikes != int64(len(sr0)-1) || rj.Counts.Nodes != 10 {
		t.Errorf("run.json counts %+v, %d spikes recorded", rj.Counts, len(sr0)-1)
	}
	if rj.Memory.PeakRSSBytes <= 0 || rj.Timings.SimulateS <= 0 || rj.Timings.RTF <= 0 {
		t.Errorf("run.json timings %+v memory %+v", rj.Timings, rj.Memory)
	}
	if !slices.Equal(rj.Files, sink.Names()) || !slices.Contains(rj.Files, "run.json") {
		t.Errorf("run.json files %v, sink %v", rj.Files, sink.Names())
	}
}

// checkSorted checks that rows (after the header) are sorted by the numeric columns given.
func checkSorted(t *testing.T, name string, rows [][]string, cols ...int) {
	t.Helper()
	key := func(r []string) []float64 {
		k := make([]float64, len(cols))
		for i, c := range cols {
			k[i], _ = strconv.ParseFloat(r[c], 64)
		}
		return k
	}
	for i := 2; i < len(rows); i++ {
		if slices.Compare(key(rows[i-1]), key(rows[i])) > 0 {
			t.Fatalf("%s: row %d %v before row %d %v", name, i-1, rows[i-1], i, rows[i])
		}
	}
}

// TestWeightRecorder uses node-valued parameters: a weight_recorder set on a synapse model by
// name, and its senders given as a slice.
func TestWeightRecorder(t *testing.T) {
	sink, _ := mustRun(t, script(
		`{"Create": {"model": "spike_generator", "n": 2, "params": [{"spike_times": [10.0, 35.0, 60.0]}, {"spike_times": [12.0, 40.0]}], "as": "gen"}}`,
		`{"Create": {"model": "parrot_neuron", "n": 2, "as": "parrots"}}`,
		`{"Create": {"model": "iaf_psc_alpha", "params": {"I_e": 376.0}, "as": "post"}}`,
		`{"Create": {"model": "weight_recorder", "params": {"senders": "parrots[0:1]"}, "as": "wr"}}`,
		`{"Create": {"model": "weight_recorder", "as": "wr_all"}}`,
		`{"CopyModel": {"old": "stdp_synapse", "new": "stdp_rec", "params": {"weight_recorder": "wr"}}}`,
		`{"CopyModel": {"old": "stdp_synapse", "new": "stdp_all"}}`,
		`{"SetDefaults": {"model": "stdp_all", "params": {"weight_recorder": ["wr_all"]}}}`,
		`{"SetStatus": {"nodes": "wr_all", "params": {"targets": [5]}}}`,
		`{"Connect": {"pre": "gen", "post": "parrots", "conn_spec": "one_to_one"}}`,
		`{"Connect": {"pre": "parrots", "post": "post", "syn_spec": {"synapse_model": "stdp_rec", "weight": 50.0}}}`,
		`{"Connect": {"pre": "parrots", "post": "post", "syn_spec": {"synapse_model": "stdp_all", "weight": 40.0}}}`,
		`{"Simulate": 100.0}`,
	), Options{})
	wr := readCSV(t, sink, "wr.csv")
	if !slices.Equal(wr[0], []string{"sender", "target", "time_ms", "weight", "receptor", "port"}) {
		t.Fatalf("wr.csv header %v", wr[0])
	}
	if len(wr) != 4 {
		t.Errorf("wr.csv: %v, want the 3 spikes of parrot 3", wr)
	}
	for _, r := range wr[1:] {
		if r[0] != "3" || r[1] != "5" || r[4] != "0" {
			t.Errorf("wr.csv row %v", r)
		}
	}
	all := readCSV(t, sink, "wr_all.csv")
	if len(all) != 6 {
		t.Errorf("wr_all.csv: %v, want 5 events", all)
	}
	checkSorted(t, "wr_all.csv", all, 2, 0, 1)
}

func TestOverrides(t *testing.T) {
	sink, _ := mustRun(t, `{"kernel": {"local_num_threads": 1, "rng_seed": 5, "print_time": true}, "script": [
		{"Create": {"model": "iaf_psc_alpha", "as": "n"}},
		{"Simulate": 5.0},
		{"ResetKernel": {}},
		{"SetKernelStatus": {"local_num_threads": 1}},
		{"Simulate": 5.0}
	]}`, Options{Threads: 2, Seed: 77, Quiet: true})
	var rj RunJSON
	data, _ := sink.File("run.json")
	if err := json.Unmarshal(data, &rj); err != nil {
		t.Fatal(err)
	}
	if rj.Kernel["local_num_threads"] != 2.0 || rj.Kernel["rng_seed"] != 77.0 || rj.Kernel["total_num_virtual_procs"] != 2.0 {
		t.Errorf("kernel %v, want the overrides (2 threads, seed 77) after ResetKernel", rj.Kernel)
	}
}

// TestDeterministic runs a random network twice, with 1 and 2 threads: same seed and threads give
// byte-identical outputs.
func TestDeterministic(t *testing.T) {
	src := `{"kernel": {"rng_seed": 11}, "script": [
		{"Create": {"model": "iaf_psc_alpha", "n": 60, "params": {"V_m": {"distribution": "uniform", "min": -70.0, "max": -55.0}}, "as": "n"}},
		{"Create": {"model": "poisson_generator", "params": {"rate": 15000.0}, "as": "pg"}},
		{"Create": {"model": "spike_recorder", "as": "sr"}},
		{"Create": {"model": "multimeter", "params": {"record_from": ["V_m"], "interval": 1.0}, "as": "mm"}},
		{"Connect": {"pre": "n", "post": "n", "conn_spec": {"rule": "fixed_indegree", "indegree": 5}, "syn_spec": {"weight": {"distribution": "normal", "mean": 20.0, "std": 5.0}, "delay": 1.5}}},
		{"Connect": {"pre": "pg", "post": "n", "syn_spec": {"weight": 12.0}}},
		{"Connect": {"pre": "n", "post": "sr"}},
		{"Connect": {"pre": "mm", "post": "n[::10]"}},
		{"Simulate": 50.0},
		{"GetConnections": {"keys": ["source", "target", "weight"], "to": "conns.csv"}}
	]}`
	for _, threads := range []int{1, 2} {
		a, _ := mustRun(t, src, Options{Threads: threads})
		b, _ := mustRun(t, src, Options{Threads: threads})
		for _, name := range []string{"sr.csv", "mm.csv", "conns.csv"} {
			x, _ := a.File(name)
			y, _ := b.File(name)
			if len(x) == 0 || !bytes.Equal(x, y) {
				t.Errorf("threads %d: %s differs between two runs (or is empty)", threads, name)
			}
		}
		rows := readCSV(t, a, "sr.csv")
		if len(rows) < 20 {
			t.Errorf("threads %d: only %d spikes", threads, len(rows)-1)
		}
		checkSorted(t, "sr.csv", rows, 1, 0)
		checkSorted(t, "conns.csv", readCSV(t, a, "conns.csv"), 0, 1)
	}
}

func TestFormatFloat(t *testing.T) {
	cases := map[float64]string{
		0: "0", 1: "1", -70: "-70", 59.300000000000004: "59.300000000000004", 0.1: "0.1", 1000000: "1000000",
		1e21: "1e+21", 1.5e-7: "1.5e-07", 0.0001: "0.0001", -69.850349499587495: "-69.8503494995875",
		math.Inf(1): "inf", math.Inf(-1): "-inf", math.NaN(): "nan",
	}
	for x, want := range cases {
		got := formatFloat(x)
		if got != want {
			t.Errorf("formatFloat(%v) = %q, want %q", x, got, want)
		}
		if back, err := strconv.ParseFloat(got, 64); err != nil || (back != x && !math.IsNaN(x)) {
			t.Errorf("%q reads back as %v (%v), want %v", got, back, err, x)
		}
	}
	cells := map[string]any{
		"true": true, "x,y": "x,y", "[1,2]": []int64{1, 2}, `{"a":[0.1],"b":"<c>"}`: map[string]any{"b": "<c>", "a": []float64{0.1}},
		"[Infinity,NaN]": []float64{math.Inf(1), math.NaN()}, "": nil,
	}
	for want, v := range cells {
		if got := formatCell(v); got != want {
			t.Errorf("formatCell(%#v) = %q, want %q", v, got, want)
		}
	}
}

func TestDirSink(t *testing.T) {
	base := t.TempDir()
	// A new folder (with a missing parent) is created at once (to check it), empty until Commit.
	dir := filepath.Join(base, "a", "b", "out")
	s, err := NewDirSink(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.Create("x/y.csv")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("1\n"))
	w.Close()
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Fatalf("output folder before Commit: %v %v, want it empty", entries, err)
	}
	if _, err := s.Create("x/y.csv"); err == nil {
		t.Error("the same file twice: no error")
	}
	for _, bad := range []string{"../z", "/abs", "", ".", "a/../../b"} {
		if _, err := s.Create(bad); err == nil {
			t.Errorf("Create(%q): no error", bad)
		}
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "x", "y.csv")); err != nil || string(data) != "1\n" {
		t.Errorf("after Commit: %q %v", data, err)
	}
	// An existing folder keeps its other files; outputs replace files of the same name.
	os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("k"), 0o644)
	s, err = NewDirSink(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, _ = s.Create("x/y.csv")
	w.Write([]byte("2\n"))
	w.Close()
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "x", "y.csv")); string(data) != "2\n" {
		t.Errorf("replaced file: %q", data)
	}
	if _, err := os.Stat(filepath.Join(dir, "keep.txt")); err != nil {
		t.Error("other file removed")
	}
	// Abort leaves nothing, not even the parents it created.
	s, err = NewDirSink(filepath.Join(base, "c", "d"))
	if err != nil {
		t.Fatal(err)
	}
	w, _ = s.Create("z.csv")
	w.Close()
	s.Abort()
	if _, err := os.Stat(filepath.Join(base, "c")); err == nil {
		t.Error("Abort left the created parent")
	}
	entries, _ := os.ReadDir(filepath.Join(base, "a", "b"))
	if len(entries) != 1 || entries[0].Name() != "out" {
		t.Errorf("temporary folders left: %v", entries)
	}
	// The output folder may not be a file.
	os.WriteFile(filepath.Join(base, "file"), nil, 0o644)
	if _, err := NewDirSink(filepath.Join(base, "file")); err == nil {
		t.Error("a file as output folder: no error")
	}
}

func TestPlots(t *testing.T) {
	sink, _ := mustRun(t, script(
		`{"Create": {"model": "iaf_psc_alpha", "n": 2, "params": {"I_e": 376.0}, "as": "n"}}`,
		`{"Create": {"model": "spike_recorder", "as": "sr"}}`,
		`{"Create": {"model": "spike_recorder", "as": "empty"}}`,
		`{"Create": {"model": "multimeter", "params": {"record_from": ["V_m", "I_syn_ex"]}, "as": "mm"}}`,
		`{"Connect": {"pre": "n", "post": "sr"}}`,
		`{"Connect": {"pre": "mm", "post": "n"}}`,
		`{"Simulate": 200.0}`,
	), Options{Plot: true})
	for _, name := range []string{"sr.png", "empty.png", "mm_V_m.png", "mm_I_syn_ex.png"} {
		data, ok := sink.File(name)
		if !ok || !bytes.HasPrefix(data, []byte("\x89PNG")) {
			t.Errorf("%s: missing or not a PNG", name)
		}
	}
}
