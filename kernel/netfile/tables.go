package netfile

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// Table values: wherever a list is accepted (a parameter with one value per node or per
// connection), {"table": PATH, "column": NAME} gives that list from a CSV table written earlier
// (by GetStatus or GetConnections), rows in file order; in Connect, pre and post given so are id
// arrays. PATH is relative to the network file's folder (Options.BaseDir) or absolute. A table is
// read once per run; every rank reads it whole.

// csvTable is a parsed CSV table: its header and its columns as text.
type csvTable struct {
	header []string
	rows   [][]string
}

// tableRef reports whether v is a table reference and returns its path and column.
func tableRef(v any) (path, column string, ok bool, err error) {
	m, isMap := v.(map[string]any)
	if !isMap {
		return "", "", false, nil
	}
	if _, has := m["table"]; !has {
		return "", "", false, nil
	}
	if len(m) != 2 {
		return "", "", true, status.Errorf(status.BadProperty, "a table value is {\"table\": PATH, \"column\": NAME}, got the keys %s", strings.Join(sortedKeys(m), ", "))
	}
	p, ok1 := m["table"].(string)
	c, ok2 := m["column"].(string)
	if !ok1 || !ok2 || p == "" || c == "" {
		return "", "", true, status.Errorf(status.TypeMismatch, "a table value is {\"table\": PATH, \"column\": NAME} with two non-empty strings")
	}
	return p, c, true, nil
}

// expandTables replaces every table reference in a call's value by the list it names; in
// Connect, pre and post become id arrays.
func (r *Runner) expandTables(call string, v any) (any, error) {
	if m, ok := v.(map[string]any); ok && call == "Connect" {
		out := make(map[string]any, len(m))
		for key, x := range m {
			if key == "pre" || key == "post" {
				ids, isRef, err := r.tableIDs(x, key)
				if err != nil {
					return nil, err
				}
				if isRef {
					out[key] = map[string]any{"ids": ids}
					continue
				}
			}
			y, err := r.expandValue(x, key)
			if err != nil {
				return nil, err
			}
			out[key] = y
		}
		return out, nil
	}
	return r.expandValue(v, "")
}

// tableIDs reads a table column of node ids.
func (r *Runner) tableIDs(v any, key string) ([]int64, bool, error) {
	path, col, ok, err := tableRef(v)
	if !ok || err != nil {
		return nil, ok, err
	}
	xs, err := r.tableColumn(path, col)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", key, err)
	}
	ids := make([]int64, len(xs))
	for i, x := range xs {
		if x != math.Trunc(x) || x < 1 || x > 1<<53 {
			return nil, true, status.Errorf(status.TypeMismatch, "%s: table %s, column %s, row %d: %g is not a node id", key, path, col, i+1, x)
		}
		ids[i] = int64(x)
	}
	return ids, true, nil
}

func (r *Runner) expandValue(v any, where string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		path, col, ok, err := tableRef(x)
		if err != nil {
			return nil, withWhere(where, err)
		}
		if ok {
			xs, err := r.tableColumn(path, col)
			if err != nil {
				return nil, withWhere(where, err)
			}
			return xs, nil
		}
		out := make(map[string]any, len(x))
		for key, y := range x {
			if out[key], err = r.expandValue(y, key); err != nil {
				return nil, err
			}
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, y := range x {
			var err error
			if out[i], err = r.expandValue(y, where); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return v, nil
}

// tableColumn returns a numeric column of a table, reading the table on first use.
func (r *Runner) tableColumn(path, col string) ([]float64, error) {
	full := path
	if !filepath.IsAbs(full) {
		full = filepath.Join(r.opts.BaseDir, path)
	}
	t, ok := r.tables[full]
	if !ok {
		var err error
		if t, err = readCSVTable(full); err != nil {
			return nil, err
		}
		if r.tables == nil {
			r.tables = map[string]*csvTable{}
		}
		r.tables[full] = t
	}
	j := slices.Index(t.header, col)
	if j < 0 {
		return nil, status.Errorf(status.BadProperty, "table %s has no column %q; its columns are %s", path, col, strings.Join(t.header, ", "))
	}
	out := make([]float64, len(t.rows))
	for i, row := range t.rows {
		x, err := parseCell(row[j])
		if err != nil {
			return nil, status.Errorf(status.BadProperty, "table %s, column %s, row %d: %q is not a number", path, col, i+1, row[j])
		}
		out[i] = x
	}
	return out, nil
}

// parseCell reads a number as the outputs write it (infinities as inf and -inf).
func parseCell(s string) (float64, error) {
	switch s {
	case "inf", "+inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) {
		return 0, errors.New("not a number")
	}
	return x, nil
}

func readCSVTable(name string) (*csvTable, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, status.Errorf(status.IOError, "table %s: %v", name, err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, status.Errorf(status.BadProperty, "table %s is empty (no header row)", name)
		}
		return nil, status.Errorf(status.BadProperty, "table %s: %v", name, err)
	}
	t := &csvTable{header: header}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, status.Errorf(status.BadProperty, "table %s: %v", name, err)
		}
		t.rows = append(t.rows, row)
	}
}

// withWhere prefixes err with the key it concerns, if any.
func withWhere(where string, err error) error {
	if where == "" {
		return err
	}
	return prefixErr(where, err)
}
