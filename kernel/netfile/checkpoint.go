package netfile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nest-mpi/nest-mpi/checkpoint"
	"github.com/nest-mpi/nest-mpi/kernel"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// Checkpoints of a network-file run. A checkpoint's manifest carries, beside the kernel's state,
// what the runner needs to go on: the script position (the call to continue with and what is left
// of it), the `as` names, the counters of run.json, and the output files buffered so far.
//
//   - {"Store": {"dir": D}} writes OUT/D at once (not staged with the outputs), so that it
//     survives a later crash of the run.
//   - {"Restore": {"dir": P}}, as a script's first call, makes the kernel the stored one, with its
//     names; the script goes on after it.
//   - --checkpoint-every MS --checkpoint-dir DIR writes DIR/ck-<time>ms every MS of biological
//     time (rounded up to whole slices), keeping the newest two; a stop by a signal writes one too.
//   - --resume DIR restores the newest complete checkpoint in DIR (or DIR itself) and continues
//     the same script from its position: the interrupted Simulate call is finished and the calls
//     after it run, so the outputs are those of a run that was never stopped.

// runnerState is the runner's part of a checkpoint (manifest extra "netfile").
type runnerState struct {
	Script      string              `json:"script"`       // digest of the script's calls
	Position    int                 `json:"position"`     // index of the call to continue with
	RemainingMs float64             `json:"remaining_ms"` // what is left of that call (a Simulate)
	Names       map[string][]uint64 `json:"names"`
	SimulatedMs float64             `json:"simulated_ms"`
	SimWallNs   int64               `json:"simulate_wall_ns"`
	BuildNs     int64               `json:"build_ns"`
	Started     bool                `json:"simulated"`
	Weights0    []kernel.WeightStat `json:"weights0"`
}

// extraKey names the runner's values in the manifest; filesSection the section of the output
// files buffered before a checkpoint that --resume continues from (name and bytes of each).
const (
	extraKey     = "netfile"
	filesSection = "netfile-files"
)

// scriptDigest identifies a script by its calls (canonical JSON: map keys sorted).
func scriptDigest(f *File) string {
	h := sha256.New()
	for _, c := range f.Script {
		b, _ := json.Marshal(map[string]any{c.Name: c.Value})
		h.Write(b)
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// state returns the runner's part of a checkpoint taken before call pos, with remaining ms of it
// still to run.
func (r *Runner) state(pos int, remaining float64) runnerState {
	st := runnerState{Script: r.digest, Position: pos, RemainingMs: remaining, Names: map[string][]uint64{},
		SimulatedMs: r.simulatedMs, SimWallNs: int64(r.simWall), Weights0: r.weights0, Started: !r.firstSim.IsZero()}
	for name, nc := range r.names {
		st.Names[name] = nc.IDs()
	}
	if st.Started {
		st.BuildNs = int64(r.firstSim.Sub(r.start))
	}
	return st
}

// store writes a checkpoint of the kernel and the runner to dir; withFiles adds the output files
// buffered so far (a checkpoint that --resume continues the same script from).
func (r *Runner) store(dir string, pos int, remaining float64, withFiles bool) error {
	opts := kernel.StoreOptions{Extra: map[string]any{extraKey: r.state(pos, remaining)}}
	if withFiles {
		var e state.Encoder
		e.Int(len(r.pending))
		for _, p := range r.pending {
			e.String(p.name)
			e.Raw(p.data)
		}
		opts.Sections = []checkpoint.Section{{Name: filesSection, Data: e.Bytes()}}
	}
	return r.k.Store(dir, opts)
}

// storedFiles reads the output files a checkpoint carries.
func storedFiles(dir string) ([]pendingFile, error) {
	data, ok, err := kernel.CheckpointSection(dir, filesSection)
	if err != nil || !ok {
		return nil, err
	}
	d := state.NewDecoder(data, "section "+filesSection)
	n := d.Int()
	var out []pendingFile
	for i := 0; i < n && d.Err() == nil; i++ {
		out = append(out, pendingFile{name: d.String(), data: d.Raw()})
	}
	return out, d.Done()
}

func (r *Runner) callStore(v any) error {
	m, err := object(v, "Store", "dir")
	if err != nil {
		return err
	}
	dir, err := str(m, "dir", true)
	if err != nil {
		return err
	}
	if r.interactive { // a session (nest.Store): the folder the caller names
		return r.store(dir, 0, 0, false)
	}
	if !validOutputName(dir) {
		return status.Errorf(status.BadProperty, "dir: %q must be a folder name inside the output folder (a relative path without '..')", dir)
	}
	if r.opts.OutDir == "" {
		return status.Errorf(status.BadProperty, "Store needs an output folder (nest-mpi run --out DIR)")
	}
	return r.store(filepath.Join(r.opts.OutDir, dir), r.pos+1, 0, false)
}

func (r *Runner) callRestore(v any) error {
	m, err := object(v, "Restore", "dir")
	if err != nil {
		return err
	}
	dir, err := str(m, "dir", true)
	if err != nil {
		return err
	}
	if r.pos != 0 && !r.interactive {
		return status.Errorf(status.BadProperty, "Restore must be the first call of a script (it is call %d)", r.pos)
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(r.opts.BaseDir, dir)
	}
	_, err = r.restore(dir)
	return err
}

// restore makes the kernel the one stored in dir and takes the stored names and counters.
func (r *Runner) restore(dir string) (*runnerState, error) {
	man, err := r.k.RestoreState(dir, r.opts.Threads)
	if err != nil {
		return nil, err
	}
	r.k.SetStop(r.opts.Stop)
	r.ensureProcs()
	var st runnerState
	if raw, ok := man.Extra[extraKey]; ok {
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, status.Errorf(status.BadProperty, "Restore %s: the manifest's %s values: %v", dir, extraKey, err)
		}
	}
	r.names = map[string]kernel.NodeCollection{}
	for name, ids := range st.Names {
		nc, err := r.k.NodeCollection(ids)
		if err != nil {
			//lint:ignore ST1005 the message starts with the call's name, Restore, as NEST's do
			return nil, fmt.Errorf("Restore %s: name %q: %w", dir, name, err)
		}
		r.names[name] = nc
	}
	return &st, nil
}

// resume restores the checkpoint to continue f from and returns the index of the first call
// still to run; the interrupted Simulate call, if any, is finished first.
func (r *Runner) resume(f *File) (int, error) {
	dir, err := latestCheckpoint(r.opts.Resume)
	if err != nil {
		return 0, err
	}
	st, err := r.restore(dir)
	if err != nil {
		return 0, err
	}
	if st.Script != r.digest {
		return 0, status.Errorf(status.BadProperty, "--resume %s: the checkpoint was written by another network file (script digest %s, this file %s)", dir, st.Script, r.digest)
	}
	if st.Position < 0 || st.Position > len(f.Script) {
		return 0, status.Errorf(status.BadProperty, "--resume %s: script position %d is outside the script's %d calls", dir, st.Position, len(f.Script))
	}
	r.simulatedMs, r.simWall, r.weights0 = st.SimulatedMs, time.Duration(st.SimWallNs), st.Weights0
	if st.Started {
		r.firstSim = r.start.Add(time.Duration(st.BuildNs))
	}
	files, err := storedFiles(dir)
	if err != nil {
		return 0, err
	}
	for _, f := range files {
		if err := r.claimed.claim(f.name); err != nil {
			return 0, err
		}
		r.pending = append(r.pending, f)
	}
	fmt.Fprintf(r.opts.Log, "Note: resuming %s from %s at %g ms (script call %d)\n", r.opts.Source, dir, r.k.Time(), st.Position)
	if st.RemainingMs > 0 {
		c := f.Script[st.Position]
		r.pos = c.Pos
		if err := r.simulate(st.RemainingMs, c.Pos); err != nil {
			return 0, &CallError{Where: c.Where(), Err: err}
		}
		return st.Position + 1, nil
	}
	return st.Position, nil
}

// simulate runs t ms of the call at pos, writing the periodic checkpoints and, when stopped by
// a signal, one more before returning the interruption.
func (r *Runner) simulate(t float64, pos int) error {
	if !(t > 0) {
		return r.k.Simulate(t) // 0, or an error the kernel names
	}
	done := 0.0
	for done < t {
		chunk := t - done
		if r.opts.CheckpointEvery > 0 && r.opts.CheckpointDir != "" {
			chunk = math.Min(chunk, r.untilCheckpoint())
		}
		t0 := r.k.Time()
		err := r.k.Simulate(chunk)
		advanced := r.k.Time() - t0
		done += advanced
		if errors.Is(err, kernel.ErrInterrupted) && r.opts.CheckpointDir != "" {
			if serr := r.periodicCheckpoint(pos, t-done); serr != nil {
				return fmt.Errorf("%w; writing the checkpoint failed: %v", err, serr)
			}
		}
		if err != nil || advanced <= 0 {
			return err
		}
		if r.opts.CheckpointEvery > 0 && r.opts.CheckpointDir != "" && r.atCheckpoint() {
			next, rest := pos, t-done
			if rest <= 1e-9 {
				next, rest = pos+1, 0
			}
			if err := r.periodicCheckpoint(next, rest); err != nil {
				return err
			}
		}
		if t-done <= 1e-9 {
			return nil
		}
	}
	return nil
}

// checkpointStep is the checkpoint interval in ms, rounded up to whole min_delay slices.
func (r *Runner) checkpointStep() float64 {
	ks, err := r.k.GetKernelStatus("min_delay")
	md, _ := ks["min_delay"].(float64)
	if err != nil || md <= 0 {
		return r.opts.CheckpointEvery
	}
	return math.Ceil(r.opts.CheckpointEvery/md-1e-9) * md
}

// untilCheckpoint is the time to the next checkpoint boundary (a multiple of the interval).
func (r *Runner) untilCheckpoint() float64 {
	step, now := r.checkpointStep(), r.k.Time()
	next := (math.Floor(now/step+1e-9) + 1) * step
	return next - now
}

func (r *Runner) atCheckpoint() bool {
	step, now := r.checkpointStep(), r.k.Time()
	q := now / step
	return math.Abs(q-math.Round(q)) < 1e-9 && now > 0
}

// periodicCheckpoint writes DIR/ck-<time>ms and keeps the newest two.
func (r *Runner) periodicCheckpoint(pos int, remaining float64) error {
	dir := filepath.Join(r.opts.CheckpointDir, fmt.Sprintf("ck-%015.3fms", r.k.Time()))
	if err := r.store(dir, pos, remaining, true); err != nil {
		return err
	}
	if r.root() {
		return pruneCheckpoints(r.opts.CheckpointDir, 2)
	}
	return nil
}

// checkpointsIn lists the complete checkpoints in dir (subfolders with a manifest), oldest first.
func checkpointsIn(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, status.Errorf(status.IOError, "checkpoint folder %s: %v", dir, err)
	}
	type ck struct {
		path string
		t    float64
	}
	var cks []ck
	for _, e := range ents {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, "ck-") || !strings.HasSuffix(name, "ms") {
			continue
		}
		t, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(name, "ck-"), "ms"), 64)
		if err != nil {
			continue
		}
		if _, err := checkpoint.Open(filepath.Join(dir, name)); err == nil {
			cks = append(cks, ck{filepath.Join(dir, name), t})
		}
	}
	sort.Slice(cks, func(i, j int) bool { return cks[i].t < cks[j].t })
	out := make([]string, len(cks))
	for i, c := range cks {
		out[i] = c.path
	}
	return out, nil
}

// pruneCheckpoints removes all but the newest keep complete checkpoints, and incomplete ones
// older than the newest complete one.
func pruneCheckpoints(dir string, keep int) error {
	cks, err := checkpointsIn(dir)
	if err != nil {
		return err
	}
	for len(cks) > keep {
		if err := os.RemoveAll(cks[0]); err != nil {
			return status.Errorf(status.IOError, "removing old checkpoint %s: %v", cks[0], err)
		}
		cks = cks[1:]
	}
	return nil
}

// latestCheckpoint resolves --resume DIR: DIR itself when it is a checkpoint, else its newest
// complete checkpoint.
func latestCheckpoint(dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, checkpoint.ManifestName)); err == nil {
		return dir, nil
	}
	cks, err := checkpointsIn(dir)
	if err != nil {
		return "", err
	}
	if len(cks) == 0 {
		return "", status.Errorf(status.BadProperty, "--resume %s: no complete checkpoint there (a folder with %s, or ck-<time>ms folders holding one)", dir, checkpoint.ManifestName)
	}
	return cks[len(cks)-1], nil
}
