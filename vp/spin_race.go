//go:build race

package vp

// Under the race detector an atomic load costs some 40 times more; spin as long in time,
// not in polls.
const initialSpin = DefaultSpin / 32
