package netfile

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/kernel"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// Everything in this file is collective: under MPI every rank runs the same script and so makes
// the same calls in the same order; rank 0 ends up with the merged result, identical for any split
// of the same number of virtual processes into ranks and threads.

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

// sumInt64 sums values over all ranks.
func sumInt64(c comm.Communicator, xs ...int64) ([]int64, error) {
	out := append([]int64(nil), xs...)
	if err := c.AllreduceInt64(out, out, comm.Sum); err != nil {
		return nil, err
	}
	return out, nil
}

// recKind is the kind of a recorder, which fixes its CSV columns.
type recKind int

const (
	spikeRec recKind = iota
	meterRec
	weightRec
)

// recorderData are the merged events of one recorder, sorted by time, sender, target.
type recorderData struct {
	kind      recKind
	vars      []string // multimeter: record_from, in order
	senders   []int64
	times     []float64 // ms
	values    [][]float64
	targets   []int64
	weights   []float64
	receptors []int64
	ports     []int64
}

// gatherRecorder returns the events of all ranks of recorder node rec (kernel.GatherEvents merges
// and sorts them with an Allgatherv of each rank's serialised rows).
func (r *Runner) gatherRecorder(rec kernel.NodeCollection, kind recKind, vars []string) (*recorderData, error) {
	ev, err := r.k.GatherEvents(rec)
	if err != nil {
		return nil, err
	}
	d := &recorderData{kind: kind, vars: vars}
	d.senders, _ = ev["senders"].([]int64)
	switch t := ev["times"].(type) {
	case []float64:
		d.times = t
	case []int64: // time_in_steps: steps on the grid
		g := r.k.Grid()
		d.times = make([]float64, len(t))
		for i, s := range t {
			d.times[i] = g.Ms(s)
		}
	}
	if len(d.times) != len(d.senders) {
		return nil, status.Errorf(status.InternalError, "recorder %v: %d senders but %d times", rec.IDs(), len(d.senders), len(d.times))
	}
	for _, v := range vars {
		col, _ := ev[v].([]float64)
		if len(col) != len(d.senders) {
			return nil, status.Errorf(status.InternalError, "recorder %v: %d values of %s for %d events", rec.IDs(), len(col), v, len(d.senders))
		}
		d.values = append(d.values, col)
	}
	if kind == weightRec {
		d.targets, _ = ev["targets"].([]int64)
		d.weights, _ = ev["weights"].([]float64)
		d.receptors, _ = ev["receptors"].([]int64)
		d.ports, _ = ev["ports"].([]int64)
		n := len(d.senders)
		if len(d.targets) != n || len(d.weights) != n || len(d.receptors) != n || len(d.ports) != n {
			return nil, status.Errorf(status.InternalError, "recorder %v: weight_recorder columns of unequal length", rec.IDs())
		}
	}
	return d, nil
}

// header returns the CSV columns of a recorder (spec-format "Output").
func (d *recorderData) header() []string {
	switch d.kind {
	case meterRec:
		return append([]string{"sender", "time_ms"}, d.vars...)
	case weightRec:
		return []string{"sender", "target", "time_ms", "weight", "receptor", "port"}
	}
	return []string{"sender", "time_ms"}
}

// writeCSV writes the recorder table.
func (d *recorderData) writeCSV(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(strings.Join(d.header(), ","))
	bw.WriteByte('\n')
	var buf []byte
	for i, s := range d.senders {
		buf = strconv.AppendInt(buf[:0], s, 10)
		buf = append(buf, ',')
		if d.kind == weightRec {
			buf = strconv.AppendInt(buf, d.targets[i], 10)
			buf = append(buf, ',')
		}
		buf = appendFloat(buf, d.times[i])
		for _, col := range d.values {
			buf = append(buf, ',')
			buf = appendFloat(buf, col[i])
		}
		if d.kind == weightRec {
			buf = append(buf, ',')
			buf = appendFloat(buf, d.weights[i])
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, d.receptors[i], 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, d.ports[i], 10)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// table is a GetStatus or GetConnections result.
type table struct {
	header []string
	rows   [][]string
}

// writeCSV writes the table with a header row (fields with commas or quotes are quoted).
func (t *table) writeCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	writeRow := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				bw.WriteByte(',')
			}
			if strings.ContainsAny(c, ",\"\n\r") || (c != "" && (c[0] == ' ' || c[len(c)-1] == ' ')) {
				bw.WriteByte('"')
				bw.WriteString(strings.ReplaceAll(c, `"`, `""`))
				bw.WriteByte('"')
			} else {
				bw.WriteString(c)
			}
		}
		bw.WriteByte('\n')
	}
	writeRow(t.header)
	for _, row := range t.rows {
		writeRow(row)
	}
	return bw.Flush()
}

// statusRow is one node's row of a GetStatus table, as a rank sends it.
type statusRow struct {
	ID    uint64            `json:"i"`
	Cells map[string]string `json:"c"`
}

// statusTable runs GetStatus on every rank and merges the rows: a neuron's row comes from the
// rank that owns it, a device's from rank 0, with a recorder's events and n_events merged over
// all ranks. Rows are sorted by node id; the columns are keys (all keys when keys is empty).
func (r *Runner) statusTable(nc kernel.NodeCollection, keys []string) (*table, error) {
	k := r.k
	info, err := k.GetStatus(nc, "local", "element_type")
	if err != nil {
		return nil, err
	}
	st, err := k.GetStatus(nc, keys...)
	if err != nil {
		return nil, err
	}
	c := k.Comm()
	wantEvents := len(keys) == 0 || slices.Contains(keys, "events")
	wantN := len(keys) == 0 || slices.Contains(keys, "n_events")
	var rows []statusRow
	for i, id := range nc.IDs() {
		et, _ := info[i]["element_type"].(string)
		local, _ := info[i]["local"].(bool)
		d := st[i]
		if et == "recorder" && (wantEvents || wantN) {
			one, err := nc.Slice(i, i+1, 1)
			if err != nil {
				return nil, err
			}
			if wantEvents {
				ev, err := k.GatherEvents(one)
				if err != nil {
					return nil, err
				}
				d["events"] = ev
			}
			if wantN {
				n, _ := d["n_events"].(int64)
				s, err := sumInt64(c, n)
				if err != nil {
					return nil, err
				}
				d["n_events"] = s[0]
			}
		}
		owner := local && et == "neuron" || et != "neuron" && c.Rank() == 0
		if !owner {
			continue
		}
		row := statusRow{ID: id, Cells: make(map[string]string, len(d))}
		for key, v := range d {
			row.Cells[key] = formatCell(v)
		}
		rows = append(rows, row)
	}
	local, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	parts, err := gatherBytes(c, local)
	if err != nil {
		return nil, status.Errorf(status.InternalError, "gathering GetStatus rows: %v", err)
	}
	if c.Rank() != 0 {
		return &table{}, nil
	}
	var all []statusRow
	for rank, p := range parts {
		var rs []statusRow
		if err := json.Unmarshal(p, &rs); err != nil {
			return nil, status.Errorf(status.InternalError, "GetStatus rows of rank %d: %v", rank, err)
		}
		all = append(all, rs...)
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].ID < all[b].ID })
	header := keys
	if len(header) == 0 {
		set := map[string]bool{}
		for _, row := range all {
			for key := range row.Cells {
				set[key] = true
			}
		}
		header = sortedKeys(set)
	}
	t := &table{header: header}
	for _, row := range all {
		cells := make([]string, len(header))
		for j, key := range header {
			cells[j] = row.Cells[key]
		}
		t.rows = append(t.rows, cells)
	}
	return t, nil
}

// connKeyOrder is the column order of a GetConnections table without keys (NEST's order);
// model-specific keys follow, sorted.
var connKeyOrder = []string{"source", "target", "target_thread", "synapse_id", "synapse_model", "port", "receptor", "delay", "weight"}

// connFilter selects connections; nil collections and "" select everything.
type connFilter struct {
	source, target *kernel.NodeCollection
	synapseModel   string
}

// localConnections returns the connections of this rank that match f, with the cells of the
// requested keys formatted (all keys of each connection's model if keys is empty; a key a model
// lacks gives empty cells). Without keys, a collection that mixes models is listed model by model,
// so that each model contributes all of its keys (SynapseCollection.Get without keys gives only
// the keys every connection has).
func localConnections(k *kernel.Kernel, f connFilter, keys []string) (*connBlock, error) {
	get := func(model string) (*connBlock, error) {
		sc, err := k.GetConnections(kernel.ConnFilter{Source: f.source, Target: f.target, SynapseModel: model})
		if err != nil {
			return nil, err
		}
		base, err := sc.Get("source", "target", "synapse_model")
		if err != nil {
			return nil, err
		}
		b := &connBlock{}
		b.src, _ = base["source"].([]int64)
		b.tgt, _ = base["target"].([]int64)
		b.model, _ = base["synapse_model"].([]string)
		if len(b.src) != sc.Len() || len(b.tgt) != sc.Len() || len(b.model) != sc.Len() {
			return nil, status.Errorf(status.InternalError, "GetConnections: columns of unequal length")
		}
		if len(keys) == 0 && model == "" && len(uniqueStrings(b.model)) > 1 {
			return b, nil // listed model by model below
		}
		cols, err := sc.Get(keys...)
		if err != nil {
			return nil, err
		}
		for _, key := range sortedKeys(cols) {
			n, cell := column(cols[key])
			if n != len(b.src) {
				return nil, status.Errorf(status.InternalError, "GetConnections: column %s has %d values for %d connections", key, n, len(b.src))
			}
			cells := make([]string, n)
			for i := range cells {
				cells[i] = cell(i)
			}
			b.keys, b.cells = append(b.keys, key), append(b.cells, cells)
		}
		return b, nil
	}
	all, err := get(f.synapseModel)
	if err != nil || all.keys != nil || len(all.src) == 0 || len(keys) > 0 || f.synapseModel != "" {
		return all, err
	}
	if models := uniqueStrings(all.model); len(models) > 1 {
		var parts []*connBlock
		for _, m := range models {
			b, err := get(m)
			if err != nil {
				return nil, err
			}
			parts = append(parts, b)
		}
		return concatBlocks(parts), nil
	}
	return all, nil
}

func uniqueStrings(xs []string) []string {
	set := map[string]bool{}
	for _, x := range xs {
		set[x] = true
	}
	return sortedKeys(set)
}

// concatBlocks joins blocks; a key missing in a block gives empty cells.
func concatBlocks(parts []*connBlock) *connBlock {
	out := &connBlock{}
	idx := map[string]int{}
	for _, b := range parts {
		for _, key := range b.keys {
			if _, ok := idx[key]; !ok {
				idx[key] = len(out.keys)
				out.keys = append(out.keys, key)
			}
		}
	}
	out.cells = make([][]string, len(out.keys))
	for _, b := range parts {
		n := len(b.src)
		out.src, out.tgt, out.model = append(out.src, b.src...), append(out.tgt, b.tgt...), append(out.model, b.model...)
		for j, key := range out.keys {
			col := slices.Index(b.keys, key)
			for i := 0; i < n; i++ {
				cell := ""
				if col >= 0 {
					cell = b.cells[col][i]
				}
				out.cells[j] = append(out.cells[j], cell)
			}
		}
	}
	return out
}

// connBlock is one rank's GetConnections result, by column: the sort columns and the formatted
// cells of each key.
type connBlock struct {
	src, tgt []int64
	model    []string
	keys     []string
	cells    [][]string // cells[j][i]: key j of connection i
}

// encode serialises the block: uvarint counts, varint ids, length-prefixed strings.
func (b *connBlock) encode() []byte {
	var buf []byte
	putStr := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	buf = binary.AppendUvarint(buf, uint64(len(b.src)))
	for i := range b.src {
		buf = binary.AppendVarint(buf, b.src[i])
		buf = binary.AppendVarint(buf, b.tgt[i])
		putStr(b.model[i])
	}
	buf = binary.AppendUvarint(buf, uint64(len(b.keys)))
	for j, key := range b.keys {
		putStr(key)
		for _, c := range b.cells[j] {
			putStr(c)
		}
	}
	return buf
}

var errShortBlock = errors.New("truncated connection block")

// decodeConnBlock reverses encode.
func decodeConnBlock(buf []byte) (*connBlock, error) {
	uv := func() (uint64, error) {
		x, n := binary.Uvarint(buf)
		if n <= 0 {
			return 0, errShortBlock
		}
		buf = buf[n:]
		return x, nil
	}
	sv := func() (int64, error) {
		x, n := binary.Varint(buf)
		if n <= 0 {
			return 0, errShortBlock
		}
		buf = buf[n:]
		return x, nil
	}
	str := func() (string, error) {
		n, err := uv()
		if err != nil || n > uint64(len(buf)) {
			return "", errShortBlock
		}
		s := string(buf[:n])
		buf = buf[n:]
		return s, nil
	}
	n, err := uv()
	if err != nil || n > uint64(len(buf)) {
		return nil, errShortBlock
	}
	b := &connBlock{src: make([]int64, n), tgt: make([]int64, n), model: make([]string, n)}
	for i := range b.src {
		if b.src[i], err = sv(); err != nil {
			return nil, err
		}
		if b.tgt[i], err = sv(); err != nil {
			return nil, err
		}
		if b.model[i], err = str(); err != nil {
			return nil, err
		}
	}
	nk, err := uv()
	if err != nil || nk > uint64(len(buf)) {
		return nil, errShortBlock
	}
	for j := uint64(0); j < nk; j++ {
		key, err := str()
		if err != nil {
			return nil, err
		}
		col := make([]string, n)
		for i := range col {
			if col[i], err = str(); err != nil {
				return nil, err
			}
		}
		b.keys, b.cells = append(b.keys, key), append(b.cells, col)
	}
	return b, nil
}

// connectionTable runs GetConnections on every rank and merges the rows on rank 0, sorted by
// source, target, then synapse model.
func (r *Runner) connectionTable(f connFilter, keys []string) (*table, error) {
	local, err := localConnections(r.k, f, keys)
	if err != nil {
		return nil, err
	}
	c := r.k.Comm()
	blocks := []*connBlock{local}
	if c.Size() > 1 {
		parts, err := gatherBytes(c, local.encode())
		if err != nil {
			return nil, status.Errorf(status.InternalError, "gathering GetConnections rows: %v", err)
		}
		if c.Rank() != 0 {
			return &table{}, nil
		}
		blocks = blocks[:0]
		for rank, p := range parts {
			b, err := decodeConnBlock(p)
			if err != nil {
				return nil, status.Errorf(status.InternalError, "GetConnections rows of rank %d: %v", rank, err)
			}
			blocks = append(blocks, b)
		}
	}
	// The union of the keys, in NEST's order (then sorted) unless keys were given.
	header := keys
	if len(header) == 0 {
		set := map[string]bool{}
		for _, b := range blocks {
			for _, key := range b.keys {
				set[key] = true
			}
		}
		for _, key := range connKeyOrder {
			if set[key] {
				header = append(header, key)
				delete(set, key)
			}
		}
		header = append(header, sortedKeys(set)...)
	}
	type ref struct{ b, i int }
	var refs []ref
	for bi, b := range blocks {
		for i := range b.src {
			refs = append(refs, ref{bi, i})
		}
	}
	// Connections with equal source, target and model live on one VP (the target's), so the stable
	// sort keeps their storage order, which does not depend on the split into ranks and threads.
	sort.SliceStable(refs, func(a, b int) bool {
		x, y := refs[a], refs[b]
		bx, by := blocks[x.b], blocks[y.b]
		if bx.src[x.i] != by.src[y.i] {
			return bx.src[x.i] < by.src[y.i]
		}
		if bx.tgt[x.i] != by.tgt[y.i] {
			return bx.tgt[x.i] < by.tgt[y.i]
		}
		return bx.model[x.i] < by.model[y.i]
	})
	// colOf[b][j]: the column of block b holding header key j (-1: missing, an empty cell).
	colOf := make([][]int, len(blocks))
	for bi, b := range blocks {
		colOf[bi] = make([]int, len(header))
		for j, key := range header {
			colOf[bi][j] = slices.Index(b.keys, key)
		}
	}
	t := &table{header: header, rows: make([][]string, len(refs))}
	for n, rf := range refs {
		b := blocks[rf.b]
		cells := make([]string, len(header))
		for j, col := range colOf[rf.b] {
			if col >= 0 {
				cells[j] = b.cells[col][rf.i]
			}
		}
		t.rows[n] = cells
	}
	return t, nil
}

// column returns the length of a column and a formatter of its cells.
func column(col any) (int, func(int) string) {
	switch x := col.(type) {
	case []int64:
		return len(x), func(i int) string { return strconv.FormatInt(x[i], 10) }
	case []float64:
		return len(x), func(i int) string { return formatFloat(x[i]) }
	case []string:
		return len(x), func(i int) string { return x[i] }
	case []any:
		return len(x), func(i int) string { return formatCell(x[i]) }
	case []bool:
		return len(x), func(i int) string { return strconv.FormatBool(x[i]) }
	}
	return -1, func(int) string { return fmt.Sprint(col) }
}
