package models

import (
	"fmt"

	"github.com/nest-mpi/nest-mpi/models/clock"
)

// Moving single neurons and connections between stores (Block.AppendFrom, SynState.AppendFrom):
// a checkpoint restored onto another number of virtual processes is re-sharded by node id, one
// neuron or connection at a time, from the restored stores into new ones of the same model.

// sameBlock returns src as the block type B of dst. A block of another type is a programming
// error of the caller: it panics, naming both types.
func sameBlock[B Block](dst B, src Block) B {
	s, ok := src.(B)
	if !ok {
		panic(fmt.Sprintf("models: AppendFrom of a %T into a %T", src, dst))
	}
	return s
}

// sameState returns src as the state type S of dst; it panics on another type, as sameBlock.
func sameState[S SynState](dst S, src SynState) S {
	s, ok := src.(S)
	if !ok {
		panic(fmt.Sprintf("models: AppendFrom of a %T into a %T", src, dst))
	}
	return s
}

// adoptGrid settles the resolution h and grid g of a block of n neurons that receives a neuron
// from a block on grid sg with resolution sh (0: never prepared). An empty block that was never
// prepared takes the source's grid, so that it can run without a new Prepare. It reports whether
// the neuron's derived values may be copied as they are: both blocks are on the same grid.
// Otherwise a prepared block recomputes them for its own grid, as Append does.
func adoptGrid(h *float64, g *clock.Grid, n int, sh float64, sg clock.Grid) (same bool) {
	if *h == 0 && n == 0 {
		*h, *g = sh, sg
	}
	return *h == sh && *g == sg
}
