// Package netfile reads and runs nest-mpi network files: a PyNEST script written as JSON (see
// docs/network-format.md, the public contract). A file has the top-level keys kernel (kernel
// status set before the script), script (the calls, in order) and comment (ignored).
//
// Parse turns the bytes into a File; Run executes it on a new kernel and writes the outputs (recorder
// tables, GetStatus/GetConnections tables and run.json) to a Sink, which for the command line is an
// output directory that appears only when the whole script has succeeded. A Session runs the same
// calls one by one on a kernel that lives on (nest-mpi serve, package serve), answering GetStatus
// and GetConnections with values instead of files, plus the calls an interactive session needs; both
// share one call table and one set of errors. Merging over MPI ranks is the kernel's
// (GatherStatus, GatherConnections, GatherEvents).
package netfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// File is a parsed network file.
type File struct {
	// Kernel is the kernel status set before the script runs (nil if absent).
	Kernel map[string]any
	// Script holds the calls in order.
	Script []Call
	// Comment is the free text of the file ("" if absent or not a string).
	Comment string
}

// Call is one element of the script: a call name and its value (numbers as int64 or float64,
// objects as map[string]any, lists as []any).
type Call struct {
	Pos   int
	Name  string
	Value any
}

// Where names the call in error messages: script[3] Connect.
func (c Call) Where() string { return fmt.Sprintf("script[%d] %s", c.Pos, c.Name) }

// topLevelKeys are the only keys a network file may have.
var topLevelKeys = []string{"comment", "kernel", "script"}

// ReadFile reads and parses a network file.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, status.Errorf(status.IOError, "cannot read network file: %v", err)
	}
	return Parse(data)
}

// Parse parses a network file. Numbers become int64 when written without fraction or exponent and
// fitting 64 bits, float64 otherwise; the kernel accepts an integer where a float is expected.
func Parse(data []byte) (*File, error) {
	top, err := decodeValue(data)
	if err != nil {
		return nil, err
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return nil, status.Errorf(status.TypeMismatch, "a network file must be a JSON object with the keys %s, got %s", strings.Join(topLevelKeys, ", "), status.Describe(top))
	}
	var unknown []string
	for key := range obj {
		if !slices.Contains(topLevelKeys, key) {
			unknown = append(unknown, strconv.Quote(key))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, status.Errorf(status.UnaccessedDictionaryEntry, "unknown top-level key %s; a network file has only the keys %s",
			strings.Join(unknown, ", "), strings.Join(topLevelKeys, ", "))
	}
	f := &File{}
	if v, ok := obj["comment"]; ok {
		f.Comment, _ = v.(string) // free text for people; any value is accepted and ignored
	}
	if v, ok := obj["kernel"]; ok && v != nil {
		k, ok := v.(map[string]any)
		if !ok {
			return nil, status.Errorf(status.TypeMismatch, "kernel: expects an object of kernel status keys, got %s", status.Describe(v))
		}
		f.Kernel = k
	}
	v, ok := obj["script"]
	if !ok {
		return nil, status.Errorf(status.BadProperty, "the network file has no script (a list of calls such as {\"Create\": {...}})")
	}
	list, ok := v.([]any)
	if !ok {
		return nil, status.Errorf(status.TypeMismatch, "script: expects a list of calls, got %s", status.Describe(v))
	}
	for i, el := range list {
		m, ok := el.(map[string]any)
		if !ok || len(m) != 1 {
			what := status.Describe(el)
			if ok {
				keys := sortedKeys(m)
				what = fmt.Sprintf("an object with %d keys (%s)", len(m), strings.Join(keys, ", "))
			}
			return nil, status.Errorf(status.BadProperty, "script[%d]: a call is an object with exactly one key, the call's name (one of %s); got %s",
				i, strings.Join(CallNames(), ", "), what)
		}
		for name, val := range m {
			if _, known := calls[name]; !known {
				return nil, status.Errorf(status.BadProperty, "script[%d]: unknown call %q; the calls are %s", i, name, strings.Join(CallNames(), ", "))
			}
			f.Script = append(f.Script, Call{Pos: i, Name: name, Value: val})
		}
	}
	return f, nil
}

// decodeValue decodes one JSON value (and nothing after it) with numbers converted.
func decodeValue(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		off := dec.InputOffset()
		line, col := lineCol(data, off)
		return nil, status.Errorf(status.BadProperty, "invalid JSON at line %d, column %d: unexpected data after the top-level object", line, col)
	}
	return convertNumbers(v), nil
}

func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(data, se.Offset-1) // Offset counts the offending byte
		return status.Errorf(status.BadProperty, "invalid JSON at line %d, column %d: %v", line, col, se)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return status.Errorf(status.BadProperty, "invalid JSON: unexpected end of file")
	}
	return status.Errorf(status.BadProperty, "invalid JSON: %v", err)
}

// lineCol converts a byte offset to a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// convertNumbers replaces json.Number by int64 (integer literals that fit) or float64.
func convertNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := x.String()
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			// Out of range: ParseFloat returns ±Inf with the error; keep it, the kernel rejects it.
			return f
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = convertNumbers(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = convertNumbers(e)
		}
		return x
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
