package kernel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// This file merges results over ranks, beside GatherEvents: node status (GatherStatus) and
// connection tables (GatherConnections), and agrees on errors (Agree). Everything here is
// collective: every rank makes the same calls in the same order; rank 0 ends up with the merged
// result, identical for any split of the same number of virtual processes into ranks and threads.
// Each merge first does its local work, then agrees on errors, and only then exchanges data, so
// that an error met by some ranks only is answered by all of them instead of leaving the others
// waiting in a collective.

// Agree combines the outcome of a step over all ranks (collective): nil if every rank succeeded,
// otherwise the error of the lowest failing rank, on every rank (its own error on that rank; the
// same kind and message elsewhere).
func (k *Kernel) Agree(err error) error { return agree(k.comm, err) }

func agree(c comm.Communicator, err error) error {
	if c.Size() == 1 {
		return err
	}
	first := []int64{int64(c.Size())}
	if err != nil {
		first[0] = int64(c.Rank())
	}
	if cerr := c.AllreduceInt64(first, first, comm.Min); cerr != nil {
		return status.Errorf(status.InternalError, "agreeing on errors over ranks: %v", cerr)
	}
	if first[0] == int64(c.Size()) {
		return nil
	}
	var local []byte
	if err != nil {
		local = appendValue(appendValue(nil, string(status.KindOf(err))), stripKindPrefix(err))
	}
	parts, gerr := gatherBytes(c, local)
	if gerr != nil {
		return status.Errorf(status.InternalError, "agreeing on errors over ranks: %v", gerr)
	}
	if int64(c.Rank()) == first[0] {
		return err
	}
	r := &wireReader{buf: parts[first[0]]}
	kind, _ := r.value()
	msg, _ := r.value()
	ks, _ := kind.(string)
	ms, _ := msg.(string)
	if ks == "" {
		return errors.New(ms)
	}
	return &status.Error{Kind: status.Kind(ks), Msg: ms}
}

// stripKindPrefix returns an error's message without its leading "Kind: ".
func stripKindPrefix(err error) string {
	var se *status.Error
	if errors.As(err, &se) && se.Error() == err.Error() {
		return se.Msg
	}
	return err.Error()
}

// gatherBytes gathers one byte slice from every rank (counts first, then Allgatherv).
func gatherBytes(c comm.Communicator, local []byte) ([][]byte, error) {
	p := c.Size()
	counts := make([]int64, p)
	counts[c.Rank()] = int64(len(local))
	if err := c.AllreduceInt64(counts, counts, comm.Sum); err != nil {
		return nil, err
	}
	ic, displs := make([]int, p), make([]int, p)
	total := 0
	for r, n := range counts {
		ic[r], displs[r] = int(n), total
		total += int(n)
	}
	all := make([]byte, total)
	if err := c.Allgatherv(local, all, ic, displs); err != nil {
		return nil, err
	}
	out := make([][]byte, p)
	for r := range out {
		out[r] = all[displs[r] : displs[r]+ic[r]]
	}
	return out, nil
}

// GatherStatus runs GetStatus on every rank and merges the dictionaries (collective): a neuron's
// comes from the rank that owns it, a device's from rank 0, with a recorder's events and n_events
// merged over all ranks. Rank 0 gets one dictionary per node of nc, in the collection's order;
// the other ranks get nil.
func (k *Kernel) GatherStatus(nc NodeCollection, keys ...string) ([]Params, error) {
	info, err := k.GetStatus(nc, "local", "element_type")
	var st []Params
	if err == nil {
		st, err = k.GetStatus(nc, keys...)
	}
	if err := k.Agree(err); err != nil {
		return nil, err
	}
	if err := k.mergeRecorders(nc, info, st, keys); err != nil {
		return nil, err
	}
	if k.comm.Size() == 1 {
		return st, nil
	}
	var local []byte
	for i := range st {
		et, _ := info[i]["element_type"].(string)
		own, _ := info[i]["local"].(bool)
		if own && et == "neuron" || et != "neuron" && k.comm.Rank() == 0 {
			local = binary.AppendUvarint(local, uint64(i))
			local = appendValue(local, st[i])
		}
	}
	parts, err := gatherBytes(k.comm, local)
	if err != nil {
		return nil, status.Errorf(status.InternalError, "gathering GetStatus: %v", err)
	}
	if k.comm.Rank() != 0 {
		return nil, nil
	}
	out := make([]Params, len(st))
	for rank, p := range parts {
		if err := decodeStatus(p, out); err != nil {
			return nil, status.Errorf(status.InternalError, "GetStatus of rank %d: %v", rank, err)
		}
	}
	return out, nil
}

// decodeStatus places the (position, dictionary) pairs of one rank into out.
func decodeStatus(p []byte, out []Params) error {
	r := &wireReader{buf: p}
	for len(r.buf) > 0 {
		i, err := r.uvarint()
		if err != nil || i >= uint64(len(out)) {
			return errShortWire
		}
		v, err := r.value()
		if err != nil {
			return err
		}
		d, _ := v.(map[string]any)
		out[i] = d
	}
	return nil
}

// mergeRecorders replaces the events and n_events of the recorders in st by their values merged
// over all ranks (collective).
func (k *Kernel) mergeRecorders(nc NodeCollection, info, st []Params, keys []string) error {
	wantEvents := len(keys) == 0 || slices.Contains(keys, "events")
	wantN := len(keys) == 0 || slices.Contains(keys, "n_events")
	if !wantEvents && !wantN {
		return nil
	}
	var recs []int
	for i := range st {
		if et, _ := info[i]["element_type"].(string); et == "recorder" {
			recs = append(recs, i)
		}
	}
	if wantN && k.comm.Size() > 1 && len(recs) > 0 {
		ns := make([]int64, len(recs))
		for j, i := range recs {
			ns[j], _ = st[i]["n_events"].(int64)
		}
		if err := k.comm.AllreduceInt64(ns, ns, comm.Sum); err != nil {
			return status.Errorf(status.InternalError, "summing n_events over ranks: %v", err)
		}
		for j, i := range recs {
			st[i]["n_events"] = ns[j]
		}
	}
	if !wantEvents {
		return nil
	}
	for _, i := range recs {
		one, err := nc.Slice(i, i+1, 1)
		if err != nil {
			return err
		}
		ev, err := k.GatherEvents(one)
		if err != nil {
			return err
		}
		st[i]["events"] = ev
	}
	return nil
}

// ConnTable is a merged GetConnections result by column, sorted by source, target, then synapse
// model. Each column is a []int64, []float64, []string or []bool when every connection has the key
// with that type, otherwise a []any with nil where a connection's model lacks the key.
type ConnTable struct {
	Source, Target []int64
	Model          []string
	Keys           []string
	Columns        []any
}

// Len returns the number of connections.
func (t *ConnTable) Len() int { return len(t.Source) }

// connKeyOrder is the column order of a table without keys (NEST's order); model-specific keys
// follow, sorted.
var connKeyOrder = []string{"source", "target", "target_thread", "synapse_id", "synapse_model", "port", "receptor", "delay", "weight"}

// GatherConnections runs GetConnections(f).Get(keys...) on every rank and merges the columns on
// rank 0 (collective; the other ranks get an empty table). Without keys, the columns are the union
// of the keys of every connection's model: a collection that mixes models is read model by model,
// so that each contributes all of its keys.
func (k *Kernel) GatherConnections(f ConnFilter, keys ...string) (*ConnTable, error) {
	local, err := k.localConnections(f, keys)
	if err := k.Agree(err); err != nil {
		return nil, err
	}
	blocks := []*ConnTable{local}
	if k.comm.Size() > 1 {
		parts, err := gatherBytes(k.comm, local.encode())
		if err != nil {
			return nil, status.Errorf(status.InternalError, "gathering GetConnections: %v", err)
		}
		if k.comm.Rank() != 0 {
			return &ConnTable{}, nil
		}
		blocks = blocks[:0]
		for rank, p := range parts {
			b, err := decodeConnTable(p)
			if err != nil {
				return nil, status.Errorf(status.InternalError, "GetConnections of rank %d: %v", rank, err)
			}
			blocks = append(blocks, b)
		}
	}
	header := keys
	if len(header) == 0 {
		header = unionKeys(blocks)
	}
	all := concatTables(blocks, header)
	all.sort()
	return all, nil
}

// unionKeys returns the keys of all blocks in NEST's order, then sorted.
func unionKeys(blocks []*ConnTable) []string {
	set := map[string]bool{}
	for _, b := range blocks {
		for _, key := range b.Keys {
			set[key] = true
		}
	}
	var header []string
	for _, key := range connKeyOrder {
		if set[key] {
			header = append(header, key)
			delete(set, key)
		}
	}
	rest := make([]string, 0, len(set))
	for key := range set {
		rest = append(rest, key)
	}
	sort.Strings(rest)
	return append(header, rest...)
}

// localConnections reads this rank's connections that match f.
func (k *Kernel) localConnections(f ConnFilter, keys []string) (*ConnTable, error) {
	all, err := k.connBlock(f, keys)
	if err != nil || all.Keys != nil || all.Len() == 0 || len(keys) > 0 || f.SynapseModel != "" {
		return all, err
	}
	models := uniqueSorted(all.Model)
	parts := make([]*ConnTable, 0, len(models))
	for _, m := range models {
		g := f
		g.SynapseModel = m
		b, err := k.connBlock(g, keys)
		if err != nil {
			return nil, err
		}
		parts = append(parts, b)
	}
	return concatTables(parts, unionKeys(parts)), nil
}

// connBlock reads the connections that match f; without keys and without a model filter, a mix of
// models comes back without columns (to be read model by model).
func (k *Kernel) connBlock(f ConnFilter, keys []string) (*ConnTable, error) {
	sc, err := k.GetConnections(f)
	if err != nil {
		return nil, err
	}
	base, err := sc.Get("source", "target", "synapse_model")
	if err != nil {
		return nil, err
	}
	b := &ConnTable{}
	b.Source, _ = base["source"].([]int64)
	b.Target, _ = base["target"].([]int64)
	b.Model, _ = base["synapse_model"].([]string)
	n := sc.Len()
	if len(b.Source) != n || len(b.Target) != n || len(b.Model) != n {
		return nil, status.Errorf(status.InternalError, "GetConnections: columns of unequal length")
	}
	if len(keys) == 0 && f.SynapseModel == "" && len(uniqueSorted(b.Model)) > 1 {
		return b, nil
	}
	cols, err := sc.Get(keys...)
	if err != nil {
		return nil, err
	}
	for _, key := range sortedMapKeys(cols) {
		if m := columnLen(cols[key]); m != n {
			return nil, status.Errorf(status.InternalError, "GetConnections: column %s has %d values for %d connections", key, m, n)
		}
		b.Keys, b.Columns = append(b.Keys, key), append(b.Columns, cols[key])
	}
	return b, nil
}

func uniqueSorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

func sortedMapKeys(m Params) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}

// columnLen returns the length of a column (-1 if it is not a list).
func columnLen(col any) int {
	switch x := col.(type) {
	case []int64:
		return len(x)
	case []float64:
		return len(x)
	case []string:
		return len(x)
	case []bool:
		return len(x)
	case []any:
		return len(x)
	}
	return -1
}

// concatTables joins blocks with the given columns; a key a block lacks gives nil entries.
func concatTables(blocks []*ConnTable, header []string) *ConnTable {
	out := &ConnTable{Keys: header, Columns: make([]any, len(header))}
	for _, b := range blocks {
		out.Source = append(out.Source, b.Source...)
		out.Target = append(out.Target, b.Target...)
		out.Model = append(out.Model, b.Model...)
	}
	for j, key := range header {
		parts := make([]any, len(blocks))
		lens := make([]int, len(blocks))
		for bi, b := range blocks {
			lens[bi] = b.Len()
			if col := slices.Index(b.Keys, key); col >= 0 {
				parts[bi] = b.Columns[col]
			}
		}
		out.Columns[j] = concatColumn(parts, lens)
	}
	return out
}

// concatColumn joins column parts of the given lengths (nil parts: missing values).
func concatColumn(parts []any, lens []int) any {
	if len(parts) == 1 && parts[0] != nil {
		return parts[0]
	}
	if c, ok := concatTyped[int64](parts, lens); ok {
		return c
	}
	if c, ok := concatTyped[float64](parts, lens); ok {
		return c
	}
	if c, ok := concatTyped[string](parts, lens); ok {
		return c
	}
	if c, ok := concatTyped[bool](parts, lens); ok {
		return c
	}
	var out []any
	for i, p := range parts {
		n := lens[i]
		for e := 0; e < n; e++ {
			out = append(out, elementAt(p, e))
		}
	}
	return out
}

// concatTyped joins parts that are all []T (empty parts may be missing).
func concatTyped[T any](parts []any, lens []int) ([]T, bool) {
	var out []T
	for i, p := range parts {
		if lens[i] == 0 {
			continue
		}
		x, ok := p.([]T)
		if !ok {
			return nil, false
		}
		out = append(out, x...)
	}
	return out, true
}

// elementAt returns element i of a column (nil for a missing column).
func elementAt(col any, i int) any {
	switch x := col.(type) {
	case []int64:
		return x[i]
	case []float64:
		return x[i]
	case []string:
		return x[i]
	case []bool:
		return x[i]
	case []any:
		return x[i]
	}
	return nil
}

// sort orders the rows by source, target, then synapse model. Connections with equal source,
// target and model live on one VP (the target's), so the stable sort keeps their storage order,
// which does not depend on the split into ranks and threads.
func (t *ConnTable) sort() {
	perm := t.order()
	if slices.IsSorted(perm) {
		return
	}
	t.Source, t.Target, t.Model = permuted(t.Source, perm), permuted(t.Target, perm), permuted(t.Model, perm)
	for j, col := range t.Columns {
		switch x := col.(type) {
		case []int64:
			t.Columns[j] = permuted(x, perm)
		case []float64:
			t.Columns[j] = permuted(x, perm)
		case []string:
			t.Columns[j] = permuted(x, perm)
		case []bool:
			t.Columns[j] = permuted(x, perm)
		case []any:
			t.Columns[j] = permuted(x, perm)
		}
	}
}

// order returns the stable sort permutation of the rows: order()[i] is the row at position i.
func (t *ConnTable) order() []int {
	perm := make([]int, t.Len())
	for i := range perm {
		perm[i] = i
	}
	sort.SliceStable(perm, func(a, b int) bool {
		x, y := perm[a], perm[b]
		if t.Source[x] != t.Source[y] {
			return t.Source[x] < t.Source[y]
		}
		if t.Target[x] != t.Target[y] {
			return t.Target[x] < t.Target[y]
		}
		return t.Model[x] < t.Model[y]
	})
	return perm
}

func permuted[T any](xs []T, perm []int) []T {
	out := make([]T, len(xs))
	for i, p := range perm {
		out[i] = xs[p]
	}
	return out
}

// encode serialises a table for another rank.
func (t *ConnTable) encode() []byte {
	buf := appendValue(nil, t.Source)
	buf = appendValue(buf, t.Target)
	buf = appendValue(buf, t.Model)
	buf = appendValue(buf, t.Keys)
	cols := make([]any, len(t.Columns))
	copy(cols, t.Columns)
	return appendValue(buf, cols)
}

func decodeConnTable(p []byte) (*ConnTable, error) {
	r := &wireReader{buf: p}
	var vals [5]any
	for i := range vals {
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	t := &ConnTable{}
	var ok [5]bool
	t.Source, ok[0] = vals[0].([]int64)
	t.Target, ok[1] = vals[1].([]int64)
	t.Model, ok[2] = vals[2].([]string)
	t.Keys, ok[3] = vals[3].([]string)
	t.Columns, ok[4] = vals[4].([]any)
	for i, good := range ok {
		if !good && vals[i] != nil {
			return nil, fmt.Errorf("field %d has the wrong type", i)
		}
	}
	if len(t.Target) != len(t.Source) || len(t.Model) != len(t.Source) || len(t.Keys) != len(t.Columns) {
		return nil, errShortWire
	}
	return t, nil
}

// SetConnections sets parameters of the connections GatherConnections(f) lists (collective).
// Each value is a number for all of them or a list with one number per connection in
// GatherConnections' order (source, target, synapse model), however the connections are spread
// over ranks and threads.
func (k *Kernel) SetConnections(f ConnFilter, p Params) error {
	sc, err := k.GetConnections(f)
	var local *ConnTable
	if err == nil {
		local, err = k.connBlock(ConnFilter{Source: f.Source, Target: f.Target, SynapseModel: f.SynapseModel}, []string{"source"})
	}
	if err := k.Agree(err); err != nil {
		return err
	}
	mine, total, err := k.globalPositions(local)
	if err != nil {
		return err
	}
	lp := make(Params, len(p))
	for key, v := range p {
		if x, err := status.ToFloat(v); err == nil {
			lp[key] = x
			continue
		}
		xs, err := status.ToFloats(v)
		if err != nil {
			return k.Agree(status.Errorf(status.TypeMismatch, "SetStatus of connections: %s must be a number or a list of numbers, got %s", key, status.Describe(v)))
		}
		if len(xs) != total {
			return k.Agree(status.Errorf(status.DimensionMismatch, "SetStatus of connections: %s has %d values for %d connections", key, len(xs), total))
		}
		col := make([]float64, len(mine))
		for i, pos := range mine {
			col[i] = xs[pos]
		}
		lp[key] = col
	}
	return k.Agree(sc.Set(lp))
}

// globalPositions returns, for each of this rank's connections in local order, its position in
// the merged, sorted table of all ranks, and the number of connections of all ranks (collective).
func (k *Kernel) globalPositions(local *ConnTable) ([]int, int, error) {
	blocks := []*ConnTable{local}
	if k.comm.Size() > 1 {
		only := &ConnTable{Source: local.Source, Target: local.Target, Model: local.Model}
		parts, err := gatherBytes(k.comm, only.encode())
		if err != nil {
			return nil, 0, status.Errorf(status.InternalError, "gathering connections: %v", err)
		}
		blocks = blocks[:0]
		for rank, p := range parts {
			b, err := decodeConnTable(p)
			if err != nil {
				return nil, 0, status.Errorf(status.InternalError, "connections of rank %d: %v", rank, err)
			}
			blocks = append(blocks, b)
		}
	}
	off := 0
	for r := 0; r < k.comm.Rank() && k.comm.Size() > 1; r++ {
		off += blocks[r].Len()
	}
	all := concatTables(blocks, nil)
	perm := all.order()
	mine := make([]int, local.Len())
	for pos, idx := range perm {
		if idx >= off && idx < off+local.Len() {
			mine[idx-off] = pos
		}
	}
	return mine, all.Len(), nil
}
