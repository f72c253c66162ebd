package netfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// Sink receives the output files of a run. Names are relative, slash-separated paths.
type Sink interface {
	// Create opens a new output file; creating the same name twice is an error.
	Create(name string) (io.WriteCloser, error)
}

// names guards a sink against writing one file twice and against names outside the folder.
type names struct {
	mu   sync.Mutex
	seen map[string]bool
	list []string
}

func (n *names) claim(name string) error {
	if !validOutputName(name) {
		return status.Errorf(status.BadProperty, "output file name %q must be a relative path inside the output folder (no '..', no absolute path)", name)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	if n.seen[name] {
		return status.Errorf(status.BadProperty, "output file %q is written twice (two recorders, GetStatus or GetConnections calls name the same file)", name)
	}
	n.seen[name] = true
	n.list = append(n.list, name)
	return nil
}

// Names returns the names created so far, sorted.
func (n *names) Names() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := append([]string(nil), n.list...)
	sort.Strings(out)
	return out
}

func validOutputName(name string) bool {
	return name != "" && name != "." && filepath.IsLocal(filepath.FromSlash(name)) && path.Clean(name) == name &&
		!strings.ContainsRune(name, '\\') && !strings.ContainsRune(name, 0)
}

// MemSink keeps the outputs in memory (tests, fuzzing, ranks other than 0).
type MemSink struct {
	names
	mu    sync.Mutex
	files map[string]*bytes.Buffer
	// Discard drops the contents (ranks other than 0): only the names are checked.
	Discard bool
}

type memFile struct{ *bytes.Buffer }

func (memFile) Close() error { return nil }

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// Create implements Sink.
func (s *MemSink) Create(name string) (io.WriteCloser, error) {
	if err := s.claim(name); err != nil {
		return nil, err
	}
	if s.Discard {
		return nopWriteCloser{io.Discard}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string]*bytes.Buffer{}
	}
	b := &bytes.Buffer{}
	s.files[name] = b
	return memFile{b}, nil
}

// File returns the contents of an output file.
func (s *MemSink) File(name string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.files[name]
	if !ok {
		return nil, false
	}
	return b.Bytes(), true
}

// formatFloat writes x in the shortest form that reads back to the same float64: plain decimals
// (integers without a point) for 1e-4 <= |x| < 1e21, exponent form otherwise; nan, inf, -inf.
func formatFloat(x float64) string { return string(appendFloat(nil, x)) }

func appendFloat(buf []byte, x float64) []byte {
	switch {
	case math.IsNaN(x):
		return append(buf, "nan"...)
	case math.IsInf(x, 1):
		return append(buf, "inf"...)
	case math.IsInf(x, -1):
		return append(buf, "-inf"...)
	}
	a := math.Abs(x)
	if a == 0 || (a >= 1e-4 && a < 1e21) {
		return strconv.AppendFloat(buf, x, 'f', -1, 64)
	}
	return strconv.AppendFloat(buf, x, 'g', -1, 64)
}

// formatCell formats a status value for a table cell: numbers as formatFloat (integers as
// integers), booleans as true/false, strings as they are, lists and dictionaries as JSON (with
// NaN and Infinity as Python's json module writes them), nothing as an empty cell.
func formatCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return string(appendJSON(nil, v, true))
}

// appendJSON appends v as JSON; top marks a table cell (numbers there use nan/inf).
func appendJSON(buf []byte, v any, top bool) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...)
	case bool:
		return strconv.AppendBool(buf, x)
	case string:
		return appendJSONString(buf, x)
	case float64:
		if !top && (math.IsNaN(x) || math.IsInf(x, 0)) {
			switch {
			case math.IsNaN(x):
				return append(buf, "NaN"...)
			case x > 0:
				return append(buf, "Infinity"...)
			}
			return append(buf, "-Infinity"...)
		}
		return appendFloat(buf, x)
	case float32:
		return appendJSON(buf, float64(x), top)
	case int:
		return strconv.AppendInt(buf, int64(x), 10)
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case int32:
		return strconv.AppendInt(buf, int64(x), 10)
	case uint64:
		return strconv.AppendUint(buf, x, 10)
	case uint32:
		return strconv.AppendUint(buf, uint64(x), 10)
	case []float64:
		return appendList(buf, len(x), func(b []byte, i int) []byte { return appendJSON(b, x[i], false) })
	case []int64:
		return appendList(buf, len(x), func(b []byte, i int) []byte { return strconv.AppendInt(b, x[i], 10) })
	case []int:
		return appendList(buf, len(x), func(b []byte, i int) []byte { return strconv.AppendInt(b, int64(x[i]), 10) })
	case []uint64:
		return appendList(buf, len(x), func(b []byte, i int) []byte { return strconv.AppendUint(b, x[i], 10) })
	case []string:
		return appendList(buf, len(x), func(b []byte, i int) []byte { return appendJSONString(b, x[i]) })
	case []bool:
		return appendList(buf, len(x), func(b []byte, i int) []byte { return strconv.AppendBool(b, x[i]) })
	case []any:
		return appendList(buf, len(x), func(b []byte, i int) []byte { return appendJSON(b, x[i], false) })
	case map[string]any:
		keys := sortedKeys(x)
		buf = append(buf, '{')
		for i, k := range keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, k)
			buf = append(buf, ':')
			buf = appendJSON(buf, x[k], false)
		}
		return append(buf, '}')
	case fmt.Stringer:
		return appendJSONString(buf, x.String())
	}
	return appendJSONString(buf, fmt.Sprint(v))
}

func appendJSONString(buf []byte, s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return strconv.AppendQuote(buf, s)
	}
	return append(buf, bytes.TrimRight(b.Bytes(), "\n")...)
}

func appendList(buf []byte, n int, el func([]byte, int) []byte) []byte {
	buf = append(buf, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = el(buf, i)
	}
	return append(buf, ']')
}

// FormatValue formats a status value as the tables do (for help texts).
func FormatValue(v any) string { return formatCell(v) }
