package netfile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nest-mpi/nest-mpi/kernel"
)

// runJSON reads a run.json.
func runJSON(t *testing.T, data []byte) RunJSON {
	t.Helper()
	var rj RunJSON
	if err := json.Unmarshal(data, &rj); err != nil {
		t.Fatalf("run.json: %v\n%s", err, data)
	}
	return rj
}

const recNet = `{"Create": {"model": "iaf_psc_alpha", "n": 2, "params": {"I_e": 400.0}, "as": "n"}},
	{"Create": {"model": "spike_recorder", "as": "sr"}},
	{"Connect": {"pre": "n", "post": "sr"}}`

// TestStoppedRun: an error after the first Simulate (or a stop request) still writes what was
// recorded, with run.json incomplete; an error before it writes nothing.
func TestStoppedRun(t *testing.T) {
	cases := []struct {
		name      string
		calls     []string
		stop      bool
		published bool
		reason    string
	}{
		{"error before Simulate", []string{recNet, `{"SetStatus": {"nodes": "n", "params": {"foo": 1}}}`, `{"Simulate": 10.0}`}, false, false, ""},
		{"error after Simulate", []string{recNet, `{"Simulate": 100.0}`, `{"SetStatus": {"nodes": "n", "params": {"foo": 1}}}`}, false, true,
			"stopped by an error: script[4] SetStatus: UnaccessedDictionaryEntry: "},
		{"stop requested", []string{recNet, `{"Simulate": 100.0}`}, true, true, "stopped by SIGTERM: script[3] Simulate: Simulate stopped at"},
		{"ran to its end", []string{recNet, `{"Simulate": 100.0}`}, false, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts Options
			if c.stop {
				flag := &atomic.Bool{}
				flag.Store(true)
				opts.Stop, opts.StopReason = flag, func() string { return "SIGTERM" }
			}
			sink, res, err := runSrc(t, script(c.calls...), opts)
			if c.stop != errors.Is(err, kernel.ErrInterrupted) {
				t.Errorf("error %v: interrupted %v, want %v", err, !c.stop, c.stop)
			}
			if (res != nil) != c.published {
				t.Fatalf("result %v (error %v), want published %v", res, err, c.published)
			}
			if !c.published {
				if len(sink.Names()) != 0 {
					t.Errorf("files %v written by a run that failed before Simulate", sink.Names())
				}
				return
			}
			data, ok := sink.File("run.json")
			if !ok {
				t.Fatal("no run.json")
			}
			rj := runJSON(t, data)
			if rj.Complete != (c.reason == "") || !strings.HasPrefix(rj.IncompleteReason, c.reason) {
				t.Errorf("complete %v, incomplete_reason %q; want reason %q", rj.Complete, rj.IncompleteReason, c.reason)
			}
			if rows := readCSV(t, sink, "sr.csv"); len(rows) < 2 && !c.stop {
				t.Errorf("sr.csv has no spikes: %v", rows)
			}
		})
	}
}

// TestOutputRefusals: a reused name, a label that is a path and a data_path outside the output
// folder are errors of the call that makes them.
func TestOutputRefusals(t *testing.T) {
	cases := []struct {
		name  string
		calls []string
		want  string
	}{
		{"as reused", []string{`{"Create": {"model": "iaf_psc_alpha", "as": "a"}}`, `{"Create": {"model": "spike_recorder", "as": "a"}}`},
			`script[1] Create: BadProperty: as: the name "a" is already given to nodes created earlier`},
		{"label with a slash", []string{`{"Create": {"model": "spike_recorder", "params": {"label": "../x", "record_to": "ascii"}}}`},
			`script[0] Create: BadProperty: node 1: spike_recorder: label "../x" is a file-name stem for the ascii backend, not a path`},
		{"label absolute", []string{`{"Create": {"model": "multimeter", "as": "m"}}`, `{"SetStatus": {"nodes": "m", "params": {"label": "/tmp/x"}}}`},
			`script[1] SetStatus: BadProperty: SetStatus of node 1: multimeter: label "/tmp/x" is a file-name stem`},
		{"label dotdot", []string{`{"SetDefaults": {"model": "spike_recorder", "params": {"label": ".."}}}`}, `BadProperty: spike_recorder: label ".."`},
		{"data_path outside", []string{`{"SetKernelStatus": {"data_path": "/tmp"}}`}, `script[0] SetKernelStatus: BadProperty: kernel: data_path "/tmp" must be a folder inside the output folder`},
		{"data_path up", []string{`{"SetKernelStatus": {"data_path": "../x"}}`}, `BadProperty: kernel: data_path "../x" must be a folder inside`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runSrc(t, script(c.calls...), Options{DataDir: t.TempDir()})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s", err, c.want)
			}
		})
	}
	// A name may be given again after ResetKernel.
	mustRun(t, script(`{"Create": {"model": "iaf_psc_alpha", "as": "a"}}`, `{"ResetKernel": {}}`, `{"Create": {"model": "iaf_psc_alpha", "as": "a"}}`), Options{})
}

// TestASCIIInOutputFolder: the ascii backend writes into the staging folder (data_path inside
// it too), so its files are published with the rest, or removed with it.
func TestASCIIInOutputFolder(t *testing.T) {
	calls := []string{recNet, `{"SetKernelStatus": {"data_path": "dat"}}`,
		`{"Create": {"model": "spike_recorder", "params": {"record_to": "ascii", "label": "spikes"}}}`,
		`{"Connect": {"pre": "n", "post": "n[0]"}}`, `{"Connect": {"pre": "n", "post": [4]}}`, `{"Simulate": 50.0}`}
	for _, fail := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "out")
		sink, err := NewDirSink(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := sink.Prepare(); err != nil {
			t.Fatal(err)
		}
		src := calls
		if fail {
			src = append(slices.Clone(calls[:len(calls)-1]), `{"Create": {"model": "nope"}}`)
		}
		f, _ := Parse([]byte(script(src...)))
		res, err := Run(f, Options{Sink: sink, DataDir: sink.Staging()})
		if fail {
			if err == nil || res != nil {
				t.Fatalf("failing run: %v %v", res, err)
			}
			sink.Abort()
			if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 0 {
				t.Errorf("a failed run left %v", entries)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := sink.Commit(); err != nil {
			t.Fatal(err)
		}
		matches, _ := filepath.Glob(filepath.Join(dir, "dat", "spikes-*.dat"))
		if len(matches) != 1 {
			t.Errorf(".dat files %v, want one in out/dat", matches)
		}
		if !slices.Contains(res.Files, "dat/"+filepath.Base(matches[0])) {
			t.Errorf("run.json files %v do not list the .dat file", res.Files)
		}
	}
}

// TestPublish: the output folder is created and checked at Prepare; Commit swaps a folder of an
// earlier run, keeps other files (moving file by file, stale outputs removed), and a move that
// fails leaves a run.json that says the set is incomplete.
func TestPublish(t *testing.T) {
	base := t.TempDir()
	write := func(s *DirSink, name, body string) {
		w, err := s.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
		w.Close()
	}
	commit := func(dir string, files map[string]string) *DirSink {
		s, err := NewDirSink(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for name, body := range files {
			write(s, name, body)
			names = append(names, name)
		}
		slices.Sort(names)
		b, _ := json.Marshal(map[string]any{"files": append(names, "run.json"), "complete": true})
		write(s, "run.json", string(b))
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
		return s
	}
	ls := func(dir string) []string {
		entries, _ := os.ReadDir(dir)
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	dir := filepath.Join(base, "out")
	commit(dir, map[string]string{"a.csv": "1", "b.csv": "1"})
	commit(dir, map[string]string{"a.csv": "2"}) // swap: b.csv goes
	if got := ls(dir); !slices.Equal(got, []string{"a.csv", "run.json"}) {
		t.Errorf("after the swap: %v", got)
	}
	os.WriteFile(filepath.Join(dir, "mine.txt"), nil, 0o644)
	commit(dir, map[string]string{"c.csv": "3"}) // file by file: a.csv is stale, mine.txt stays
	if got := ls(dir); !slices.Equal(got, []string{"c.csv", "mine.txt", "run.json"}) {
		t.Errorf("after moving file by file: %v", got)
	}
	if got := ls(base); !slices.Equal(got, []string{"out"}) {
		t.Errorf("staging folders left: %v", got)
	}
	// A move that fails: run.json says the set is incomplete.
	s, _ := NewDirSink(dir)
	write(s, "d.csv", "4")
	write(s, "run.json", `{"files": ["d.csv", "run.json"], "complete": true}`)
	os.Mkdir(filepath.Join(dir, "d.csv"), 0o755)
	os.WriteFile(filepath.Join(dir, "d.csv", "x"), nil, 0o644) // a non-empty folder in the way
	if err := s.Commit(); err == nil {
		t.Fatal("Commit over a non-empty folder: no error")
	}
	data, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	if rj := runJSON(t, data); rj.Complete || !strings.Contains(rj.IncompleteReason, "publishing the outputs failed") {
		t.Errorf("run.json after a failed move: %s", data)
	}
	s.Abort()
	// A folder that cannot be created is an error of Prepare.
	os.WriteFile(filepath.Join(base, "file"), nil, 0o644)
	s, _ = NewDirSink(filepath.Join(base, "file", "out"))
	if err := s.Prepare(); err == nil || !strings.Contains(err.Error(), "IOError: cannot create the output folder") {
		t.Errorf("Prepare under a file: %v", err)
	}
}
