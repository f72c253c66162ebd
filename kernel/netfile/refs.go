package netfile

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nest-mpi/nest-mpi/kernel"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// A node reference is a name given by `as`, a slice of one ("name[2:5]", "name[::2]", "name[-1]",
// chained as in Python: "name[1:][::2]"), a list of names and node ids (concatenated in order, like
// a + b in PyNEST), or a node id.

// validName reports whether s can name a node collection: it becomes a file name (<name>.csv), so
// only letters, digits, '_', '-' and '.' are allowed, and it must not start with '.' or '-'.
func validName(s string) bool {
	if s == "" || len(s) > 200 || s[0] == '.' || s[0] == '-' {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		default:
			return false
		}
	}
	return true
}

// nodes resolves a node reference; key names the argument in errors ("pre").
func (r *Runner) nodes(v any, key string) (kernel.NodeCollection, error) {
	switch x := v.(type) {
	case nil:
		return kernel.NodeCollection{}, status.Errorf(status.TypeMismatch, "%s: expects a node reference (a name from \"as\", \"name[i:j]\", a list of names or a list of node ids), got null", key)
	case string:
		return r.namedNodes(x, key)
	case []any:
		var ids []uint64
		for i, e := range x {
			if s, ok := e.(string); ok {
				nc, err := r.namedNodes(s, key)
				if err != nil {
					return kernel.NodeCollection{}, err
				}
				ids = append(ids, nc.IDs()...)
				continue
			}
			id, err := nodeID(e)
			if err != nil {
				return kernel.NodeCollection{}, status.Errorf(status.TypeMismatch, "%s[%d]: a node reference list holds names and node ids, got %s", key, i, status.Describe(e))
			}
			ids = append(ids, id)
		}
		nc, err := r.k.NodeCollection(ids)
		if err != nil {
			return kernel.NodeCollection{}, prefixErr(key, err)
		}
		return nc, nil
	case []int64:
		ids := make([]uint64, len(x))
		for i, id := range x {
			if id < 1 {
				return kernel.NodeCollection{}, status.Errorf(status.TypeMismatch, "%s[%d]: node ids are positive integers, got %d", key, i, id)
			}
			ids[i] = uint64(id)
		}
		nc, err := r.k.NodeCollection(ids)
		if err != nil {
			return kernel.NodeCollection{}, prefixErr(key, err)
		}
		return nc, nil
	case int64, float64:
		id, err := nodeID(x)
		if err != nil {
			return kernel.NodeCollection{}, status.Errorf(status.TypeMismatch, "%s: %v", key, err)
		}
		nc, err := r.k.NodeCollection([]uint64{id})
		if err != nil {
			return kernel.NodeCollection{}, prefixErr(key, err)
		}
		return nc, nil
	}
	return kernel.NodeCollection{}, status.Errorf(status.TypeMismatch, "%s: expects a node reference (a name from \"as\", \"name[i:j]\", a list of names or a list of node ids), got %s", key, status.Describe(v))
}

// nodeID converts a JSON number to a positive node id.
func nodeID(v any) (uint64, error) {
	switch x := v.(type) {
	case int64:
		if x >= 1 {
			return uint64(x), nil
		}
	case float64:
		if x >= 1 && x == math.Trunc(x) && x < 1<<53 {
			return uint64(x), nil
		}
	}
	return 0, fmt.Errorf("node ids are positive integers, got %s", status.Describe(v))
}

// namedNodes resolves "name" or "name[...]..." .
func (r *Runner) namedNodes(s, key string) (kernel.NodeCollection, error) {
	name, rest, _ := strings.Cut(s, "[")
	name = strings.TrimSpace(name)
	nc, ok := r.names[name]
	if !ok {
		known := sortedKeys(r.names)
		if len(known) == 0 {
			return kernel.NodeCollection{}, status.Errorf(status.UnknownNode, "%s: no node collection is named %q (no names are defined; name a Create's nodes with \"as\")", key, name)
		}
		return kernel.NodeCollection{}, status.Errorf(status.UnknownNode, "%s: no node collection is named %q; the names are %s", key, name, strings.Join(known, ", "))
	}
	if len(s) == len(name) || !strings.Contains(s, "[") {
		return nc, nil
	}
	rest = "[" + rest
	for rest != "" {
		if rest[0] != '[' {
			return kernel.NodeCollection{}, status.Errorf(status.BadParameter, "%s: cannot read the node reference %q: expected name[start:stop:step] or name[index]", key, s)
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return kernel.NodeCollection{}, status.Errorf(status.BadParameter, "%s: cannot read the node reference %q: missing ']'", key, s)
		}
		var err error
		nc, err = r.applySlice(nc, rest[1:end])
		if err != nil {
			return kernel.NodeCollection{}, status.Errorf(kindOr(err, status.BadParameter), "%s: node reference %q: %s", key, s, message(err))
		}
		rest = strings.TrimSpace(rest[end+1:])
	}
	return nc, nil
}

// applySlice applies one Python index or slice expression ("2", "-1", "2:5", "::2", "1:-1:3").
func (r *Runner) applySlice(nc kernel.NodeCollection, expr string) (kernel.NodeCollection, error) {
	parts := strings.Split(expr, ":")
	if len(parts) > 3 {
		return kernel.NodeCollection{}, status.Errorf(status.BadParameter, "a slice has at most three parts start:stop:step")
	}
	vals := make([]*int, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return kernel.NodeCollection{}, status.Errorf(status.BadParameter, "%q is not an integer", p)
		}
		vals[i] = &n
	}
	if len(parts) == 1 {
		if vals[0] == nil {
			return kernel.NodeCollection{}, status.Errorf(status.BadParameter, "empty index")
		}
		id, err := nc.At(*vals[0])
		if err != nil {
			return kernel.NodeCollection{}, err
		}
		return r.k.NodeCollection([]uint64{id})
	}
	start, stop, step := 0, nc.Len(), 1
	if len(parts) == 3 && vals[2] != nil {
		step = *vals[2]
		if step == 0 {
			return kernel.NodeCollection{}, status.Errorf(status.BadParameter, "slice step cannot be zero")
		}
		if step < 0 {
			return kernel.NodeCollection{}, status.Errorf(status.BadParameter, "node collections cannot be sliced with a negative step (%d)", step)
		}
	}
	if vals[0] != nil {
		start = *vals[0]
	}
	if vals[1] != nil {
		stop = *vals[1]
	}
	for _, b := range []struct {
		name string
		v    int
	}{{"start", start}, {"stop", stop}} {
		if b.v > nc.Len() || b.v < -nc.Len() {
			return kernel.NodeCollection{}, status.Errorf(status.IndexError, "slice %s %d is out of range for a NodeCollection of %d nodes", b.name, b.v, nc.Len())
		}
	}
	return nc.Slice(start, stop, step)
}

// nodeParamKeys are parameters whose value is a node reference: a synapse model's weight_recorder
// and a weight_recorder's senders and targets.
var nodeParamKeys = map[string]bool{"weight_recorder": true, "senders": true, "targets": true}

// resolveParams returns a copy of p with node-valued parameters resolved to node collections.
// weight_recorder given as a number is passed on unchanged (0 means none).
func (r *Runner) resolveParams(p map[string]any, where string) (map[string]any, error) {
	if p == nil {
		return nil, nil
	}
	out := make(map[string]any, len(p))
	for key, v := range p {
		out[key] = v
		if !nodeParamKeys[key] {
			continue
		}
		resolve := false
		switch x := v.(type) {
		case string:
			resolve = true
		case []any:
			resolve = key != "weight_recorder"
			for _, e := range x {
				if _, ok := e.(string); ok {
					resolve = true
				}
			}
		}
		if !resolve {
			continue
		}
		nc, err := r.nodes(v, where+key)
		if err != nil {
			return nil, err
		}
		out[key] = nc
	}
	return out, nil
}

// kindOr returns the kind of err, or def if it has none.
func kindOr(err error, def status.Kind) status.Kind {
	if k := status.KindOf(err); k != "" {
		return k
	}
	return def
}

// message returns an error's text without its leading kind ("BadProperty: ").
func message(err error) string {
	s := err.Error()
	if k := status.KindOf(err); k != "" {
		if rest, ok := strings.CutPrefix(s, string(k)+": "); ok {
			return rest
		}
	}
	return s
}

// prefixErr prefixes an error's message with context, keeping its kind.
func prefixErr(context string, err error) error {
	k := status.KindOf(err)
	if k == "" {
		return fmt.Errorf("%s: %w", context, err)
	}
	return &status.Error{Kind: k, Msg: context + ": " + stripKind(err.Error(), k)}
}

// stripKind removes the first "Kind: " from s (errors wrapped with fmt.Errorf carry it inside).
func stripKind(s string, k status.Kind) string {
	if i := strings.Index(s, string(k)+": "); i >= 0 {
		return s[:i] + s[i+len(k)+2:]
	}
	return s
}

// idArray reads an array connection's endpoint {"ids": [...]}: node ids that may repeat. ok is
// false when v is not of that form.
func idArray(v any, key string) (ids []uint64, ok bool, err error) {
	m, isMap := v.(map[string]any)
	if !isMap {
		return nil, false, nil
	}
	raw, has := m["ids"]
	if !has || len(m) != 1 {
		return nil, true, status.Errorf(status.BadProperty, "%s: an id array is {\"ids\": [...]}, got the keys %s", key, strings.Join(sortedKeys(m), ", "))
	}
	switch x := raw.(type) {
	case []int64:
		ids = make([]uint64, len(x))
		for i, id := range x {
			if id < 1 {
				return nil, true, status.Errorf(status.TypeMismatch, "%s.ids[%d]: node ids are positive integers, got %d", key, i, id)
			}
			ids[i] = uint64(id)
		}
	case []any:
		ids = make([]uint64, len(x))
		for i, e := range x {
			if ids[i], err = nodeID(e); err != nil {
				return nil, true, status.Errorf(status.TypeMismatch, "%s.ids[%d]: %v", key, i, err)
			}
		}
	default:
		return nil, true, status.Errorf(status.TypeMismatch, "%s.ids: expects a list of node ids, got %s", key, status.Describe(raw))
	}
	return ids, true, nil
}
