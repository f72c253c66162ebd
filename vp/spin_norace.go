//go:build !race

package vp

const initialSpin = DefaultSpin
