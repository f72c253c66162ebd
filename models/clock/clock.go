// Package clock owns NEST's time arithmetic: the integer grid of tics and steps on which every
// time of a simulation lives, and the rounding rules by which milliseconds become steps.
//
// A tic is 1/TicsPerMs ms (default 1 µs); a step is TicsPerStep tics (the resolution h). Rounding:
//
//	ms -> tics:          floor(ms*TicsPerMs + 0.5)
//	tics -> steps:       ceil(tics/TicsPerStep)          (Steps: t_ref, intervals, device times)
//	delay ms -> steps:   round(ms/h)                     (DelaySteps)
//	stamp ms -> steps:   tics truncated to a step, +1 step if still below (Stamp)
package clock

import "math"

// Grid is the time grid of one kernel.
type Grid struct {
	TicsPerMs   float64
	TicsPerStep int64
}

// Default is NEST's default grid: 1000 tics per ms, resolution 0.1 ms.
var Default = Grid{TicsPerMs: 1000, TicsPerStep: 100}

// NewGrid returns the grid for a resolution h (ms) and tics per ms.
func NewGrid(h, ticsPerMs float64) Grid {
	return Grid{TicsPerMs: ticsPerMs, TicsPerStep: int64(math.Floor(h*ticsPerMs + 0.5))}
}

// H is the resolution in ms.
func (g Grid) H() float64 { return float64(g.TicsPerStep) / g.TicsPerMs }

// Tics converts ms to tics: floor(ms*TicsPerMs + 0.5).
func (g Grid) Tics(ms float64) int64 {
	if math.IsInf(ms, 1) || ms*g.TicsPerMs > math.MaxInt64/4 {
		return math.MaxInt64 / 4
	}
	if math.IsInf(ms, -1) || ms*g.TicsPerMs < math.MinInt64/4 {
		return math.MinInt64 / 4
	}
	return int64(math.Floor(ms*g.TicsPerMs + 0.5))
}

// Steps converts ms to steps as Time(Time::ms(t)).get_steps() does: tics rounded, then rounded up
// to whole steps. Infinite times map to a very large step count.
func (g Grid) Steps(ms float64) int64 {
	t := g.Tics(ms)
	if t >= math.MaxInt64/4 {
		return math.MaxInt64 / 8
	}
	if t <= math.MinInt64/4 {
		return math.MinInt64 / 8
	}
	if t >= 0 {
		return (t + g.TicsPerStep - 1) / g.TicsPerStep
	}
	return -((-t) / g.TicsPerStep)
}

// DelaySteps converts a delay in ms to steps: round(ms/h), halves away from zero.
func (g Grid) DelaySteps(ms float64) int64 {
	return int64(RoundHalfAway(ms / g.H()))
}

// RoundHalfAway is math.Round (the nearest integer, halves away from zero), computed from
// t = trunc(x), which the processor rounds in one instruction: x - t is exact (t and x share
// their binade, or t is 0), so |x - t| >= 1/2 decides exactly when to step away from zero.
// Infinities and NaN give themselves (x - t is then NaN, and the test fails).
func RoundHalfAway(x float64) float64 {
	t := math.Trunc(x)
	if x >= 0 { // delays: no sign to carry
		if x-t >= 0.5 {
			t++
		}
		return t
	}
	if t-x >= 0.5 {
		t--
	}
	return t
}

// Stamp converts a time in ms to the step on or after it (Time::ms_stamp).
func (g Grid) Stamp(ms float64) int64 {
	t := g.Tics(ms)
	s := t / g.TicsPerStep
	if s*g.TicsPerStep < t {
		s++
	}
	return s
}

// Ms converts steps to ms as NEST's Time::get_ms does: tics × ms_per_tic, with
// ms_per_tic = 1/TicsPerMs (so step 3 at h = 0.1 is 0.3, not 3 × 0.1 = 0.30000000000000004).
func (g Grid) Ms(steps int64) float64 { return float64(steps*g.TicsPerStep) * (1 / g.TicsPerMs) }

// OnGrid reports whether ms is a multiple of the resolution (to the tic).
func (g Grid) OnGrid(ms float64) bool {
	if math.IsInf(ms, 0) {
		return true
	}
	return g.Tics(ms)%g.TicsPerStep == 0
}

// Infinite is the step count used for "never" (stop = +inf).
const Infinite = math.MaxInt64 / 8
