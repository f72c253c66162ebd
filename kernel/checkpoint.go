package kernel

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nest-mpi/nest-mpi/checkpoint"
	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/models/state"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// A full checkpoint is composed of sections (see package checkpoint for the files):
//
//   - "kernel" (written by rank 0; every rank holds the same): the kernel status and time, the
//     rank-synchronised random stream, the model tables (every neuron, device and synapse model
//     with its base and current defaults), the node table and every device's parameters;
//   - "rank-<r>": the spikes of the last slice that rank r has not delivered yet;
//   - "vp-<v>": everything virtual process v owns: its random streams, its neurons (each block
//     writes its own state), their spike histories and ring buffers, the spikes of the current
//     slice, its connections (the kernel's arrays and each synapse model's own state), its device
//     instances (each generator's state, recorders' events, multimeter bindings with their pending
//     samples) and its counters.
//
// The "kernel" section begins with the state version (stateVersion): from version 2 on a
// store's weight and delay columns are written in their coding (whether coded; plain: the
// values; coded: the distinct values, the length and the one-byte codes, if any), so that a
// checkpoint of a static network takes about the bytes it takes in memory; version 3 codes the
// delays of models with per-connection state too (version 2 kept them plain); version 1 wrote
// every column as a plain array. All are still read.
//
// Because a VP's state does not depend on how VPs are split into ranks and threads, a checkpoint
// restores onto any split with the same number of VPs and continues bit for bit.

// StoreOptions are extra values the caller keeps in the manifest (a network file's position).
type StoreOptions struct {
	Extra map[string]any
	// Sections are the caller's own sections, written by rank 0 (names must not clash with the
	// kernel's: kernel, rank-<r>, vp-<v>).
	Sections []checkpoint.Section
}

// Store writes a full checkpoint of the simulation to dir (collective: every rank calls it). It
// may be called between Simulate calls, not between Prepare and Cleanup. The previous checkpoint
// in dir stays restorable until the new one is complete.
func (k *Kernel) Store(dir string, opts ...StoreOptions) error {
	if err := k.usable("Store"); err != nil {
		return err
	}
	if k.prepared {
		return status.Errorf(status.KernelException, "Store: cannot store between Prepare and Cleanup; call Cleanup first")
	}
	k.cleanup.Wait() // the last Store's removal of old shards is done
	gen, err := k.agreeGeneration()
	if err != nil {
		return status.Errorf(status.InternalError, "Store: %v", err)
	}
	sections, err := k.encodeSections()
	if k.comm.Rank() == 0 {
		for _, o := range opts {
			sections = append(sections, o.Sections...)
		}
	}
	var info checkpoint.ShardInfo
	if err == nil {
		info, err = checkpoint.WriteShard(dir, gen, k.comm.Rank(), sections)
	}
	infos, gerr := k.gatherShardInfos(info, err)
	if gerr != nil {
		return status.Errorf(status.IOError, "Store %s: %v", dir, gerr)
	}
	if k.comm.Rank() == 0 {
		err = k.commitManifest(dir, gen, infos, opts)
	}
	if err = k.agreeError(err); err != nil {
		return status.Errorf(status.IOError, "Store %s: %v", dir, err)
	}
	if k.comm.Rank() == 0 { // the previous checkpoint's shards, off the critical path
		k.cleanup.Add(1)
		go func() {
			defer k.cleanup.Done()
			_ = checkpoint.RemoveOtherGenerations(dir, gen)
		}()
	}
	return nil
}

// agreeGeneration returns a generation number that every rank shares (rank 0's clock).
func (k *Kernel) agreeGeneration() (int64, error) {
	g := []int64{0}
	if k.comm.Rank() == 0 {
		g[0] = time.Now().UnixNano()
	}
	err := k.comm.AllreduceInt64(g, g, comm.Max)
	return g[0], err
}

// gatherShardInfos collects every rank's shard description on every rank; a rank whose write
// failed sends its error instead, and every rank then returns the first error.
func (k *Kernel) gatherShardInfos(info checkpoint.ShardInfo, werr error) ([]checkpoint.ShardInfo, error) {
	type msg struct {
		Info checkpoint.ShardInfo
		Err  string
	}
	m := msg{Info: info}
	if werr != nil {
		m.Err = fmt.Sprintf("rank %d: %v", k.comm.Rank(), werr)
	}
	local, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	parts, err := allgatherBytes(k.comm, local)
	if err != nil {
		return nil, err
	}
	infos := make([]checkpoint.ShardInfo, len(parts))
	for r, p := range parts {
		var got msg
		if err := json.Unmarshal(p, &got); err != nil {
			return nil, err
		}
		if got.Err != "" {
			return nil, fmt.Errorf("%s", got.Err)
		}
		infos[r] = got.Info
	}
	return infos, nil
}

// agreeError returns err on every rank if any rank has one (a collective).
func (k *Kernel) agreeError(err error) error {
	flag := []int64{0}
	if err != nil {
		flag[0] = 1
	}
	if cerr := k.comm.AllreduceInt64(flag, flag, comm.Max); cerr != nil {
		return cerr
	}
	if flag[0] != 0 && err == nil {
		return fmt.Errorf("failed on another rank")
	}
	return err
}

// allgatherBytes gathers a byte slice of any length from every rank.
func allgatherBytes(c comm.Communicator, local []byte) ([][]byte, error) {
	n := c.Size()
	sizes := make([]int64, n)
	sizes[c.Rank()] = int64(len(local))
	if err := c.AllreduceInt64(sizes, sizes, comm.Sum); err != nil {
		return nil, err
	}
	counts, displs := make([]int, n), make([]int, n)
	total := 0
	for r, s := range sizes {
		counts[r], displs[r] = int(s), total
		total += int(s)
	}
	recv := make([]byte, total)
	if err := c.Allgatherv(local, recv, counts, displs); err != nil {
		return nil, err
	}
	out := make([][]byte, n)
	for r := range out {
		out[r] = recv[displs[r] : displs[r]+counts[r]]
	}
	return out, nil
}

func (k *Kernel) commitManifest(dir string, gen int64, infos []checkpoint.ShardInfo, opts []StoreOptions) error {
	m := &checkpoint.Manifest{Generation: gen, Fingerprint: k.Fingerprint(), NumVPs: k.layout.NumVPs(),
		Ranks: k.comm.Size(), Threads: k.threads, TimeMs: k.Time(), Step: k.clock + k.from, Shards: infos}
	for _, o := range opts {
		for key, v := range o.Extra {
			raw, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("extra value %q: %w", key, err)
			}
			if m.Extra == nil {
				m.Extra = map[string]json.RawMessage{}
			}
			m.Extra[key] = raw
		}
	}
	return checkpoint.Commit(dir, m)
}

// Fingerprint is a digest of the network's structure: the model tables (names and bases) and
// every node's model. Two kernels with the same fingerprint have the same nodes of the same models.
func (k *Kernel) Fingerprint() string {
	h := sha256.New()
	for _, e := range k.models.list {
		fmt.Fprintf(h, "m %s %s\n", e.name, e.base)
	}
	for _, s := range k.syns {
		fmt.Fprintf(h, "s %s %s\n", s.m.Name(), s.base)
	}
	for _, n := range k.nodes[1:] {
		fmt.Fprintf(h, "%d\n", n.model)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// encodeSections encodes this rank's sections, the VPs in parallel.
func (k *Kernel) encodeSections() ([]checkpoint.Section, error) {
	var out []checkpoint.Section
	if k.comm.Rank() == 0 {
		var e state.Encoder
		if err := k.encodeGlobal(&e); err != nil {
			return nil, err
		}
		out = append(out, checkpoint.Section{Name: "kernel", Data: e.Bytes()})
	}
	var e state.Encoder
	encodeSpikes(&e, k.pending)
	out = append(out, checkpoint.Section{Name: fmt.Sprintf("rank-%d", k.comm.Rank()), Data: e.Bytes()})
	vps := make([]checkpoint.Section, len(k.vps))
	errs := make([]error, len(k.vps))
	if err := k.pool.Run(func(t int) {
		var e state.Encoder
		errs[t] = k.encodeVP(&e, k.vps[t])
		vps[t] = checkpoint.Section{Name: fmt.Sprintf("vp-%d", k.vps[t].vp), Data: e.Bytes()}
	}); err != nil {
		return nil, err
	}
	if err := firstErr(errs); err != nil {
		return nil, err
	}
	return append(out, vps...), nil
}

func encodeSpikes(e *state.Encoder, spikes []spikeRec) {
	e.Int(len(spikes))
	for _, s := range spikes {
		e.U64(s.gid)
		e.I64(int64(s.lag))
		e.U64(uint64(s.mult))
	}
}

func decodeSpikes(d *state.Decoder) []spikeRec {
	n := d.Int()
	if n < 0 || n > d.Remaining()/24 {
		d.Fail("%d spikes", n)
		return nil
	}
	out := make([]spikeRec, n)
	for i := range out {
		out[i] = spikeRec{gid: d.U64(), lag: int32(d.I64()), mult: uint32(d.U64())}
	}
	return out
}

// CheckpointSection reads a caller's section of the checkpoint in dir (see StoreOptions); ok is
// false when it has none of that name.
func CheckpointSection(dir, name string) (data []byte, ok bool, err error) {
	r, err := checkpoint.NewReader(dir)
	if err != nil {
		return nil, false, err
	}
	if !r.Has(name) {
		return nil, false, nil
	}
	data, err = r.Section(name)
	return data, err == nil, err
}

// RestoreOptions configure Restore.
type RestoreOptions struct {
	Options
	// Threads is the number of threads per rank (0: the stored local_num_threads).
	Threads int
}

// Restore returns a kernel that is the one stored in dir: time, nodes, connections, every state
// variable, recorders with their events, and random streams (collective under MPI). The number
// of threads and ranks may differ from the stored run's as long as the number of virtual
// processes is the same; then the run continues bit for bit.
func Restore(dir string, opts RestoreOptions) (*Kernel, error) {
	k, err := New(opts.Options)
	if err != nil {
		return nil, err
	}
	if _, err := k.RestoreState(dir, opts.Threads); err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

// RestoreState makes k the kernel stored in dir (see Restore) and returns the checkpoint's
// manifest. On error k is left as a fresh kernel (ResetKernel's state).
func (k *Kernel) RestoreState(dir string, threads int) (*checkpoint.Manifest, error) {
	if k.prepared {
		return nil, status.Errorf(status.KernelException, "Restore: cannot restore between Prepare and Cleanup")
	}
	r, err := checkpoint.NewReader(dir)
	if err == nil {
		err = k.restoreFrom(r, threads)
	}
	if err = k.agreeError(err); err != nil {
		k.reset()
		return nil, status.Errorf(status.BadProperty, "Restore %s: %v", dir, err)
	}
	return r.Manifest, nil
}

func (k *Kernel) restoreFrom(r *checkpoint.Reader, threads int) error {
	k.reset()
	data, err := r.Section("kernel")
	if err != nil {
		return err
	}
	d := state.NewDecoder(data, "section kernel")
	if err := k.decodeGlobal(d, threads); err != nil {
		return err
	}
	if err := d.Done(); err != nil {
		return err
	}
	m := r.Manifest
	if k.Fingerprint() != m.Fingerprint {
		return fmt.Errorf("%w: the kernel section does not match the manifest's fingerprint", checkpoint.ErrInvalid)
	}
	if m.NumVPs < 1 {
		return fmt.Errorf("%w: %d virtual processes", checkpoint.ErrInvalid, m.NumVPs)
	}
	if k.layout.NumVPs() != m.NumVPs {
		if err := k.reshard(r, m.NumVPs); err != nil {
			return err
		}
		if err := k.restorePending(r); err != nil {
			return err
		}
		k.connChanged = true
		return nil
	}
	for _, st := range k.vps {
		name := fmt.Sprintf("vp-%d", st.vp)
		data, err := r.Section(name)
		if err != nil {
			return err
		}
		d := state.NewDecoder(data, "section "+name)
		if err := k.decodeVP(d, st); err != nil {
			return err
		}
		if err := d.Done(); err != nil {
			return err
		}
	}
	if err := k.restorePending(r); err != nil {
		return err
	}
	k.connChanged = true
	return nil
}

// restorePending merges the undelivered spikes of every stored rank: each rank held those it
// needed, so their union, in (lag, node id) order, serves any split.
func (k *Kernel) restorePending(r *checkpoint.Reader) error {
	seen := map[spikeRec]bool{}
	k.pending = k.pending[:0]
	for rank := range r.Manifest.Ranks {
		name := fmt.Sprintf("rank-%d", rank)
		data, err := r.Section(name)
		if err != nil {
			return err
		}
		d := state.NewDecoder(data, "section "+name)
		for _, s := range decodeSpikes(d) {
			if !seen[s] {
				seen[s] = true
				k.pending = append(k.pending, s)
			}
		}
		if err := d.Done(); err != nil {
			return err
		}
	}
	sortSpikes(k.pending)
	return nil
}
