package netfile

import (
	"bufio"
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

// statusTable runs GetStatus on every rank and merges the rows (kernel.GatherStatus): rows are
// sorted by node id; the columns are keys (all keys when keys is empty).
func (r *Runner) statusTable(nc kernel.NodeCollection, keys []string) (*table, error) {
	st, err := r.k.GatherStatus(nc, keys...)
	if err != nil || !r.root() {
		return &table{}, err
	}
	ids := nc.IDs()
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ids[order[a]] < ids[order[b]] })
	header := keys
	if len(header) == 0 {
		set := map[string]bool{}
		for _, d := range st {
			for key := range d {
				set[key] = true
			}
		}
		delete(set, "global_id")
		header = sortedKeys(set)
	}
	if !slices.Contains(header, "global_id") { // the first column, as PyNEST's pandas output indexes its frame
		header = append([]string{"global_id"}, header...)
	}
	t := &table{header: header}
	for _, i := range order {
		cells := make([]string, len(header))
		for j, key := range header {
			if v, ok := st[i][key]; ok {
				cells[j] = formatCell(v)
			} else if key == "global_id" {
				cells[j] = strconv.FormatUint(ids[i], 10)
			}
		}
		t.rows = append(t.rows, cells)
	}
	return t, nil
}

// connFilter selects connections; nil collections and "" select everything.
type connFilter struct {
	source, target *kernel.NodeCollection
	synapseModel   string
}

// connectionTable runs GetConnections on every rank and merges the rows on rank 0
// (kernel.GatherConnections), sorted by source, target, then synapse model.
func (r *Runner) connectionTable(f connFilter, keys []string) (*table, error) {
	ct, err := r.k.GatherConnections(kernel.ConnFilter{Source: f.source, Target: f.target, SynapseModel: f.synapseModel}, keys...)
	if err != nil || !r.root() {
		return &table{}, err
	}
	cells := make([]func(int) string, len(ct.Columns))
	for j, col := range ct.Columns {
		_, cells[j] = column(col)
	}
	t := &table{header: ct.Keys, rows: make([][]string, ct.Len())}
	for i := range t.rows {
		row := make([]string, len(cells))
		for j, cell := range cells {
			row[j] = cell(i)
		}
		t.rows[i] = row
	}
	return t, nil
}

// column returns the length of a column and a formatter of its cells (nil: an empty cell).
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
