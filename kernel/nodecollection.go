package kernel

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// NodeCollection is an immutable ordered list of unique node ids of one kernel, as NEST's
// NodeCollection: Create returns one, and it can be sliced, indexed and concatenated. A collection
// becomes invalid when its kernel is reset.
type NodeCollection struct {
	k   *Kernel
	gen uint64
	ids []uint64
}

// Len returns the number of nodes.
func (nc NodeCollection) Len() int { return len(nc.ids) }

// IDs returns a copy of the node ids.
func (nc NodeCollection) IDs() []uint64 { return slices.Clone(nc.ids) }

// At returns the i-th node id (0-based; negative counts from the end).
func (nc NodeCollection) At(i int) (uint64, error) {
	if i < 0 {
		i += len(nc.ids)
	}
	if i < 0 || i >= len(nc.ids) {
		return 0, status.Errorf(status.RangeCheck, "NodeCollection index %d out of range [0, %d)", i, len(nc.ids))
	}
	return nc.ids[i], nil
}

// Slice returns nc[start:stop:step] with Python's meaning (negative start/stop count from the end;
// step must be positive).
func (nc NodeCollection) Slice(start, stop, step int) (NodeCollection, error) {
	n := len(nc.ids)
	if step < 1 {
		return NodeCollection{}, status.Errorf(status.BadParameter, "NodeCollection slice step must be positive, got %d", step)
	}
	norm := func(i int) int {
		if i < 0 {
			i += n
		}
		return min(max(i, 0), n)
	}
	start, stop = norm(start), norm(stop)
	var ids []uint64
	for i := start; i < stop; i += step {
		ids = append(ids, nc.ids[i])
	}
	return NodeCollection{k: nc.k, gen: nc.gen, ids: ids}, nil
}

// Pick returns the nodes at the given positions (which must select unique nodes).
func (nc NodeCollection) Pick(idx ...int) (NodeCollection, error) {
	ids := make([]uint64, 0, len(idx))
	for _, i := range idx {
		id, err := nc.At(i)
		if err != nil {
			return NodeCollection{}, err
		}
		ids = append(ids, id)
	}
	return newCollection(nc.k, ids)
}

// Concat returns nc + others; the collections must not overlap.
func (nc NodeCollection) Concat(others ...NodeCollection) (NodeCollection, error) {
	ids := slices.Clone(nc.ids)
	for _, o := range others {
		if o.k != nil && nc.k != nil && (o.k != nc.k || o.gen != nc.gen) {
			return NodeCollection{}, status.Errorf(status.InvalidNodeCollection, "cannot concatenate node collections of different kernels or of a reset kernel")
		}
		ids = append(ids, o.ids...)
	}
	k := nc.k
	if k == nil && len(others) > 0 {
		k = others[0].k
	}
	return newCollection(k, ids)
}

func newCollection(k *Kernel, ids []uint64) (NodeCollection, error) {
	seen := make(map[uint64]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return NodeCollection{}, status.Errorf(status.BadProperty, "node collections must hold unique node ids; %d occurs twice (overlapping collections cannot be concatenated)", id)
		}
		seen[id] = true
	}
	var gen uint64
	if k != nil {
		gen = k.gen
	}
	return NodeCollection{k: k, gen: gen, ids: ids}, nil
}

// Contains reports whether id is in the collection.
func (nc NodeCollection) Contains(id uint64) bool { return slices.Contains(nc.ids, id) }

// Index returns the position of id, or an error if it is not in the collection.
func (nc NodeCollection) Index(id uint64) (int, error) {
	if i := slices.Index(nc.ids, id); i >= 0 {
		return i, nil
	}
	return 0, status.Errorf(status.KeyError, "node %d is not in the collection", id)
}

// Equal reports whether both collections hold the same ids in the same order.
func (nc NodeCollection) Equal(o NodeCollection) bool { return slices.Equal(nc.ids, o.ids) }

// String formats like PyNEST: NodeCollection(metadata=None, model=iaf_psc_alpha, size=2, first=1, last=2).
func (nc NodeCollection) String() string {
	if len(nc.ids) == 0 {
		return "NodeCollection(<empty>)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "NodeCollection(size=%d, first=%d, last=%d)", len(nc.ids), nc.ids[0], nc.ids[len(nc.ids)-1])
	return b.String()
}

// NodeCollection returns the collection of the given existing node ids (nest.NodeCollection([...])).
func (k *Kernel) NodeCollection(ids []uint64) (NodeCollection, error) {
	for _, id := range ids {
		if id == 0 || id >= uint64(len(k.nodes)) {
			return NodeCollection{}, status.Errorf(status.UnknownNode, "Node with id %d does not exist.", id)
		}
	}
	return newCollection(k, slices.Clone(ids))
}

// valid checks that nc belongs to k's current generation.
func (k *Kernel) valid(nc NodeCollection) error {
	if nc.k != nil && (nc.k != k || nc.gen != k.gen) {
		return status.Errorf(status.InvalidNodeCollection, "node collection is invalid: it was created before ResetKernel or by another kernel")
	}
	for _, id := range nc.ids {
		if id == 0 || id >= uint64(len(k.nodes)) {
			return status.Errorf(status.UnknownNode, "Node with id %d does not exist.", id)
		}
	}
	return nil
}
