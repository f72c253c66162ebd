package netfile

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/kernel"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// A Session is a kernel driven call by call (nest-mpi serve): the calls of a network file, which
// answer with values instead of writing files, and the calls an interactive session needs besides.
// Under MPI every rank holds a Session and makes the same calls in the same order; Call agrees on
// errors over all ranks and rank 0's answer is the merged one.
type Session struct {
	r *Runner
	// Help returns a model's documentation for the help call (nil: help is unavailable).
	help func(model string) (string, error)
}

// NewSession starts a kernel for a session.
func NewSession(opts Options, help func(model string) (string, error)) (*Session, error) {
	if opts.Comm == nil {
		opts.Comm = comm.NewLocal()
	}
	r, err := newRunner(opts)
	if err != nil {
		return nil, err
	}
	r.interactive = true
	if err := r.setKernel(nil, true); err != nil {
		r.k.Close()
		return nil, err
	}
	return &Session{r: r, help: help}, nil
}

// Close releases the kernel.
func (s *Session) Close() { s.r.k.Close() }

// Kernel returns the session's kernel.
func (s *Session) Kernel() *kernel.Kernel { return s.r.k }

// sessionCalls are the calls that answer with a value; the other calls of the network file (the
// calls table) answer with null.
var sessionCalls = map[string]func(*Session, any) (any, error){
	"Create":          (*Session).create,
	"GetStatus":       (*Session).getStatus,
	"GetConnections":  (*Session).getConnections,
	"SetConnections":  (*Session).setConnections,
	"GetKernelStatus": (*Session).getKernelStatus,
	"GetDefaults":     (*Session).getDefaults,
	"Models":          (*Session).models,
	"Prepare":         (*Session).prepare,
	"Run":             (*Session).run,
	"Cleanup":         (*Session).cleanup,
	"help":            (*Session).helpText,
}

// SessionCallNames lists every call a session answers, sorted.
func SessionCallNames() []string {
	var names []string
	for name := range calls {
		names = append(names, name)
	}
	for name := range sessionCalls {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Call runs one call and returns its answer (collective under MPI: the error is agreed over all
// ranks; a panic is an InternalError answer and the session goes on).
func (s *Session) Call(name string, value any) (any, error) {
	var out any
	err := s.r.guard(Call{Name: name, Value: value}, func() error {
		value, err := s.r.expandTables(name, value)
		if err != nil {
			return err
		}
		if fn := sessionCalls[name]; fn != nil {
			v, err := fn(s, value)
			out = v
			return err
		}
		if fn := calls[name]; fn != nil {
			return fn(s.r, value)
		}
		return status.Errorf(status.NotImplemented, "unknown call %q; the calls are %s", name, strings.Join(SessionCallNames(), ", "))
	})
	if err := s.r.k.Agree(err); err != nil {
		return nil, err
	}
	return out, nil
}

// create answers the ids of the new nodes as {"first": a, "last": b} (Create gives consecutive ids).
func (s *Session) create(v any) (any, error) {
	s.r.last = kernel.NodeCollection{}
	if err := s.r.callCreate(v); err != nil {
		return nil, err
	}
	ids := s.r.last.IDs()
	if len(ids) == 0 {
		return nil, status.Errorf(status.InternalError, "Create made no nodes")
	}
	return map[string]any{"first": int64(ids[0]), "last": int64(ids[len(ids)-1])}, nil
}

// getStatus answers one dictionary per node, in the collection's order.
func (s *Session) getStatus(v any) (any, error) {
	m, err := object(v, "GetStatus", "nodes", "keys")
	if err != nil {
		return nil, err
	}
	if _, ok := m["nodes"]; !ok {
		return nil, status.Errorf(status.BadProperty, "the argument nodes is missing")
	}
	nc, err := s.r.nodes(m["nodes"], "nodes")
	if err != nil {
		return nil, err
	}
	keys, err := keyList(m, "keys")
	if err != nil {
		return nil, err
	}
	st, err := s.r.k.GatherStatus(nc, keys...)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(st))
	for i, d := range st {
		out[i] = d
	}
	return out, nil
}

// connFilterOf reads source, target and synapse_model.
func (s *Session) connFilterOf(m map[string]any) (kernel.ConnFilter, error) {
	var f kernel.ConnFilter
	for _, a := range []struct {
		key string
		dst **kernel.NodeCollection
	}{{"source", &f.Source}, {"target", &f.Target}} {
		if raw, ok := m[a.key]; ok && raw != nil {
			nc, err := s.r.nodes(raw, a.key)
			if err != nil {
				return f, err
			}
			*a.dst = &nc
		}
	}
	var err error
	f.SynapseModel, err = str(m, "synapse_model", false)
	return f, err
}

// getConnections answers the merged table by column: {"keys": [...], "columns": [...]}, sorted by
// source, target, then synapse model.
func (s *Session) getConnections(v any) (any, error) {
	m, err := object(v, "GetConnections", "source", "target", "synapse_model", "keys")
	if err != nil {
		return nil, err
	}
	f, err := s.connFilterOf(m)
	if err != nil {
		return nil, err
	}
	keys, err := keyList(m, "keys")
	if err != nil {
		return nil, err
	}
	t, err := s.r.k.GatherConnections(f, keys...)
	if err != nil {
		return nil, err
	}
	cols := make([]any, len(t.Columns))
	copy(cols, t.Columns)
	return map[string]any{"keys": t.Keys, "columns": cols, "n": int64(t.Len())}, nil
}

// setConnections sets parameters of the connections GetConnections selects with the same filter:
// a number for all of them or a list with one number per connection in GetConnections' order.
func (s *Session) setConnections(v any) (any, error) {
	m, err := object(v, "SetConnections", "source", "target", "synapse_model", "params")
	if err != nil {
		return nil, err
	}
	f, err := s.connFilterOf(m)
	if err != nil {
		return nil, err
	}
	p, err := dict(m, "params")
	if err != nil {
		return nil, err
	}
	return nil, s.r.k.SetConnections(f, p)
}

// getKernelStatus answers the kernel status (num_connections and local_spike_counter summed over
// ranks, as NEST reports them).
func (s *Session) getKernelStatus(v any) (any, error) {
	var keys []string
	if v != nil {
		m, err := object(v, "GetKernelStatus", "keys")
		if err != nil {
			return nil, err
		}
		if keys, err = keyList(m, "keys"); err != nil {
			return nil, err
		}
	}
	return s.r.kernelStatus(keys)
}

// kernelStatus returns the kernel status with num_connections and local_spike_counter summed
// over ranks, as NEST reports them (collective).
func (r *Runner) kernelStatus(keys []string) (map[string]any, error) {
	st, err := r.k.GetKernelStatus(keys...)
	if err := r.k.Agree(err); err != nil {
		return nil, err
	}
	sums := make([]int64, 2)
	for i, key := range []string{"num_connections", "local_spike_counter"} {
		sums[i], _ = st[key].(int64)
	}
	if err := r.k.Comm().AllreduceInt64(sums, sums, comm.Sum); err != nil {
		return nil, status.Errorf(status.InternalError, "summing kernel counts over ranks: %v", err)
	}
	for i, key := range []string{"num_connections", "local_spike_counter"} {
		if _, ok := st[key]; ok {
			st[key] = sums[i]
		}
	}
	return st, nil
}

func (s *Session) getDefaults(v any) (any, error) {
	m, err := object(v, "GetDefaults", "model", "keys")
	if err != nil {
		return nil, err
	}
	model, err := str(m, "model", true)
	if err != nil {
		return nil, err
	}
	keys, err := keyList(m, "keys")
	if err != nil {
		return nil, err
	}
	return s.r.k.GetDefaults(model, keys...)
}

func (s *Session) models(v any) (any, error) {
	if err := noArgs("Models", v); err != nil {
		return nil, err
	}
	return s.r.k.Models(), nil
}

func (s *Session) prepare(v any) (any, error) {
	if err := noArgs("Prepare", v); err != nil {
		return nil, err
	}
	return nil, s.r.k.Prepare()
}

func (s *Session) run(v any) (any, error) {
	t, err := status.ToFloat(v)
	if err != nil {
		return nil, status.Errorf(status.TypeMismatch, "Run: expects the time in ms (a number), got %s", status.Describe(v))
	}
	start := time.Now()
	err = s.r.k.Run(t)
	s.r.simWall += time.Since(start)
	return nil, err
}

func (s *Session) cleanup(v any) (any, error) {
	if err := noArgs("Cleanup", v); err != nil {
		return nil, err
	}
	return nil, s.r.k.Cleanup()
}

func (s *Session) helpText(v any) (any, error) {
	m, err := object(v, "help", "model")
	if err != nil {
		return nil, err
	}
	model, err := str(m, "model", true)
	if err != nil {
		return nil, err
	}
	if s.help == nil {
		return nil, status.Errorf(status.NotImplemented, "help is not available in this session")
	}
	return s.help(model)
}

// noArgs accepts null or {} as the value of a call without arguments.
func noArgs(call string, v any) error {
	switch x := v.(type) {
	case nil:
		return nil
	case map[string]any:
		if len(x) == 0 {
			return nil
		}
		return status.Errorf(status.UnaccessedDictionaryEntry, "%s takes no arguments, got the keys %s", call, strings.Join(sortedKeys(x), ", "))
	}
	return status.Errorf(status.TypeMismatch, "%s takes no arguments ({} or null), got %s", call, status.Describe(v))
}

// ParseCall reads one call of a session: a JSON object with exactly one key, the call's name.
// Typed arrays {"$array": "float64" or "int64", "data": BASE64 of little-endian values} become
// []float64 and []int64.
func ParseCall(line []byte) (name string, value any, err error) {
	v, err := decodeValue(line)
	if err != nil {
		return "", nil, err
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		what := status.Describe(v)
		if ok {
			what = fmt.Sprintf("an object with %d keys", len(m))
		}
		return "", nil, status.Errorf(status.BadProperty, "a call is an object with exactly one key, the call's name; got %s", what)
	}
	for k, v := range m {
		name, value = k, v
	}
	value, err = decodeArrays(value)
	return name, value, err
}

// decodeArrays replaces typed arrays in v.
func decodeArrays(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if dtype, ok := x["$array"]; ok {
			return decodeArray(dtype, x)
		}
		for key, e := range x {
			d, err := decodeArrays(e)
			if err != nil {
				return nil, err
			}
			x[key] = d
		}
	case []any:
		for i, e := range x {
			d, err := decodeArrays(e)
			if err != nil {
				return nil, err
			}
			x[i] = d
		}
	}
	return v, nil
}

func decodeArray(dtype any, x map[string]any) (any, error) {
	data, _ := x["data"].(string)
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil || len(x) != 2 || len(raw)%8 != 0 {
		return nil, status.Errorf(status.BadProperty, "a typed array is {\"$array\": \"float64\" or \"int64\", \"data\": base64 of 8-byte little-endian values}")
	}
	n := len(raw) / 8
	switch dtype {
	case "float64":
		out := make([]float64, n)
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		return out, nil
	case "int64":
		out := make([]int64, n)
		for i := range out {
			out[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		return out, nil
	}
	return nil, status.Errorf(status.BadProperty, "a typed array's $array is \"float64\" or \"int64\", got %s", status.Describe(dtype))
}
