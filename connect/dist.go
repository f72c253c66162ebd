package connect

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

// distKind names the base distribution of a Dist.
type distKind uint8

const (
	distNone distKind = iota
	distNormal
	distUniform
	distUniformInt
	distLogNormal
	distExponential
)

var distNames = [...]string{
	distNone:        "",
	distNormal:      "normal",
	distUniform:     "uniform",
	distUniformInt:  "uniform_int",
	distLogNormal:   "lognormal",
	distExponential: "exponential",
}

// boundMode says what a Dist does with draws outside [min, max].
type boundMode uint8

const (
	boundNone   boundMode = iota
	boundRedraw           // draw again (nest.math.redraw, NEST 2 "<dist>_clipped")
	boundClip             // clamp to the nearer bound (NEST 2 "<dist>_clipped_to_boundary")
)

// MaxRedraws is the number of draws a redrawn distribution makes before it switches to exact
// inversion sampling of the truncated distribution (NEST's nest.math.redraw gives up with a
// KernelException after 1000 redraws; nest-mpi never fails at draw time, see Dist.Draw).
const MaxRedraws = 1000

// directBelow is the acceptance probability under which a redrawn distribution samples the
// truncated distribution by inversion from the start: redrawing would cost more than 20 draws
// on average. Both ways give the same distribution.
const directBelow = 0.05

// Dist is a random distribution with NEST 3 names (nest.random.*), optionally restricted to
// [Min, Max] by redrawing (nest.math.redraw) or, for NEST 2 "_clipped_to_boundary"
// distributions, by clamping. Its formulas, with U uniform in [0,1) and Z standard normal:
//
//	normal(mean, std)        mean + std*Z                          (std > 0)
//	uniform(min, max)        min + U*(max-min), in [min, max)      (min < max)
//	uniform_int(max)         floor(U*max), an integer in 0..max-1  (max > 0)
//	lognormal(mean, std)     exp(mean + std*Z): mean and std are those of the underlying normal (std > 0)
//	exponential(beta)        -beta*ln(1-U), mean beta              (beta > 0)
//
// NEST 2 parameterisations are accepted by ParseDist and converted: normal and lognormal
// (mu, sigma), uniform (low, high), uniform_int (low, high), an integer in low..high inclusive,
// and exponential (lambda), the rate, so beta = 1/lambda.
//
// A redrawn distribution draws until the value lies in [Min, Max] (closed, as
// nest.math.redraw). After MaxRedraws draws, or from the start when the acceptance
// probability is below 5%, it samples the truncated distribution exactly by inversion of its
// distribution function instead; the result has the same distribution, and Draw never fails.
// Validate rejects bounds that no value can satisfy.
//
// The zero Dist is not valid. Dists are values: copy them freely.
type Dist struct {
	kind   distKind
	a, b   float64 // parameters: (mean, std), (min, max), (low, high) for uniform_int, (mean, std), (beta, -)
	nest2  bool    // made from NEST 2 parameter names (affects String and Dict only)
	mode   boundMode
	lo, hi float64 // bounds, -Inf/+Inf when open
	direct bool    // sample the truncated distribution by inversion at once
}

// Normal returns normal(mean, std): mean + std*Z.
func Normal(mean, std float64) Dist { return Dist{kind: distNormal, a: mean, b: std} }

// Uniform returns uniform(min, max): min + U*(max-min), uniform in [min, max).
func Uniform(min, max float64) Dist { return Dist{kind: distUniform, a: min, b: max} }

// UniformInt returns uniform_int(max): an integer uniform in 0..max-1 (as a float64).
func UniformInt(max int64) Dist {
	return Dist{kind: distUniformInt, a: 0, b: float64(max) - 1}
}

// uniformIntRange returns NEST 2's uniform_int(low, high): an integer uniform in low..high.
func uniformIntRange(low, high int64) Dist {
	return Dist{kind: distUniformInt, a: float64(low), b: float64(high), nest2: true}
}

// LogNormal returns lognormal(mean, std): exp(mean + std*Z), where mean and std are those of
// the underlying normal distribution.
func LogNormal(mean, std float64) Dist { return Dist{kind: distLogNormal, a: mean, b: std} }

// Exponential returns exponential(beta): -beta*ln(1-U), with mean beta.
func Exponential(beta float64) Dist { return Dist{kind: distExponential, a: beta} }

// Redraw returns d restricted to [min, max] by redrawing (nest.math.redraw(d, min, max)).
// Either bound may be infinite. The result should be checked with Validate (ParseDist does).
func (d Dist) Redraw(min, max float64) Dist {
	d.mode, d.lo, d.hi = boundRedraw, min, max
	d.direct = d.acceptance() < directBelow
	return d
}

// clip returns d clamped to [min, max] (NEST 2 "<dist>_clipped_to_boundary").
func (d Dist) clip(min, max float64) Dist {
	d.mode, d.lo, d.hi, d.direct = boundClip, min, max, false
	return d
}

// Name returns the NEST 3 name of the base distribution ("normal", "uniform", ...), or "" for
// the zero Dist.
func (d Dist) Name() string { return distNames[d.kind] }

// Bounds returns the redraw (or clip) bounds, (-Inf, +Inf) when there are none.
func (d Dist) Bounds() (min, max float64) {
	if d.mode == boundNone {
		return math.Inf(-1), math.Inf(1)
	}
	return d.lo, d.hi
}

// IsInteger reports whether every draw is an integer (uniform_int).
func (d Dist) IsInteger() bool { return d.kind == distUniformInt }

// Validate checks the parameters (BadProperty: std > 0, min < max, max > 0, beta > 0, all
// finite) and the bounds (BadParameter: not NaN, min <= max, and some value of the
// distribution must lie in [min, max]).
func (d Dist) Validate() error {
	name := d.Name()
	fin := func(xs ...float64) bool {
		for _, x := range xs {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return false
			}
		}
		return true
	}
	switch d.kind {
	case distNone:
		return status.Errorf(status.BadProperty, "distribution: no distribution given; known distributions: %s", strings.Join(DistNames(), ", "))
	case distNormal, distLogNormal:
		if !fin(d.a, d.b) || d.b <= 0 {
			p1, p2 := "mean", "std"
			if d.nest2 {
				p1, p2 = "mu", "sigma"
			}
			return status.Errorf(status.BadProperty, "distribution %s: %s must be finite and %s > 0 required, got %s=%v, %s=%v", name, p1, p2, p1, d.a, p2, d.b)
		}
	case distUniform:
		if !fin(d.a, d.b) || !(d.a < d.b) {
			p1, p2 := "min", "max"
			if d.nest2 {
				p1, p2 = "low", "high"
			}
			return status.Errorf(status.BadProperty, "distribution uniform: finite %s < %s required, got %s=%v, %s=%v", p1, p2, p1, d.a, p2, d.b)
		}
	case distUniformInt:
		if d.nest2 {
			if !(d.a <= d.b) || d.b-d.a >= 1<<53 {
				return status.Errorf(status.BadProperty, "distribution uniform_int: low <= high required (and high-low < 2^53), got low=%v, high=%v", d.a, d.b)
			}
		} else if !(d.b >= 0) || d.b >= 1<<53 {
			return status.Errorf(status.BadProperty, "distribution uniform_int: max > 0 required (and max <= 2^53), got max=%v", d.b+1)
		}
	case distExponential:
		if !fin(d.a) || d.a <= 0 {
			if d.nest2 {
				return status.Errorf(status.BadProperty, "distribution exponential: lambda > 0 required, got lambda=%v", 1/d.a)
			}
			return status.Errorf(status.BadProperty, "distribution exponential: beta > 0 required, got beta=%v", d.a)
		}
	default:
		return status.Errorf(status.InternalError, "distribution: invalid kind %d", d.kind)
	}
	if d.mode == boundNone {
		return nil
	}
	what := "redraw"
	if d.mode == boundClip {
		what = "clip"
	}
	if math.IsNaN(d.lo) || math.IsNaN(d.hi) {
		return status.Errorf(status.BadParameter, "%s bounds of %s: min and max must be numbers, got min=%v, max=%v", what, d.baseString(), d.lo, d.hi)
	}
	if d.lo > d.hi {
		return status.Errorf(status.BadParameter, "%s bounds of %s: min <= max required, got min=%v, max=%v", what, d.baseString(), d.lo, d.hi)
	}
	if d.mode == boundRedraw && !(d.acceptance() > 0) {
		return status.Errorf(status.BadParameter, "redraw bounds of %s: no value (or only a set of probability 0) lies in [min, max] = [%v, %v]; the redraw would never end", d.baseString(), d.lo, d.hi)
	}
	return nil
}

// Draw returns one value drawn from s. It never fails: a valid redrawn Dist that does not
// get a value in its bounds within MaxRedraws draws samples the truncated distribution by
// inversion. An invalid Dist (see Validate) gives NaN.
func (d *Dist) Draw(s *vp.Stream) float64 {
	switch d.mode {
	case boundRedraw:
		if !d.direct {
			for range MaxRedraws {
				x := d.drawBase(s)
				if x >= d.lo && x <= d.hi {
					return x
				}
			}
		}
		return d.drawTruncated(s.Float64())
	case boundClip:
		return math.Min(math.Max(d.drawBase(s), d.lo), d.hi)
	}
	return d.drawBase(s)
}

// drawBase draws from the distribution without bounds.
func (d *Dist) drawBase(s *vp.Stream) float64 {
	switch d.kind {
	case distNormal:
		return s.NormalMS(d.a, d.b)
	case distUniform:
		return s.Uniform(d.a, d.b)
	case distUniformInt:
		return d.a + float64(s.UniformInt(uint64(d.b-d.a)+1))
	case distLogNormal:
		return s.LogNormal(d.a, d.b)
	case distExponential:
		return s.Exponential(d.a)
	}
	return math.NaN()
}

// support returns the closed hull [lo, hi] of the values the base distribution takes.
func (d Dist) support() (lo, hi float64) {
	switch d.kind {
	case distUniform, distUniformInt:
		return d.a, d.b
	case distLogNormal, distExponential:
		return 0, math.Inf(1)
	}
	return math.Inf(-1), math.Inf(1)
}

// window returns the intersection [l, h] of the support with the bounds.
func (d Dist) window() (l, h float64) {
	l, h = d.support()
	return math.Max(l, d.lo), math.Min(h, d.hi)
}

// stdTail returns Q(x) = P(Z > x) for a standard normal Z, accurate in the upper tail.
func stdTail(x float64) float64 { return 0.5 * math.Erfc(x/math.Sqrt2) }

// stdNormalMass returns P(a <= Z <= b) for a standard normal Z, computed where it is
// accurate (in the tail nearer to the interval).
func stdNormalMass(a, b float64) float64 {
	switch {
	case a >= 0:
		return stdTail(a) - stdTail(b)
	case b <= 0:
		return stdTail(-b) - stdTail(-a)
	}
	return 1 - stdTail(b) - stdTail(-a)
}

// acceptance returns the probability that a draw of the base distribution lies in the
// bounds.
func (d Dist) acceptance() float64 {
	if d.mode == boundNone {
		return 1
	}
	if math.IsNaN(d.lo) || math.IsNaN(d.hi) || d.lo > d.hi {
		return 0
	}
	switch d.kind {
	case distNormal:
		if !(d.b > 0) {
			return 0
		}
		return stdNormalMass((d.lo-d.a)/d.b, (d.hi-d.a)/d.b)
	case distLogNormal:
		if !(d.b > 0) || d.hi <= 0 {
			return 0
		}
		return stdNormalMass((math.Log(math.Max(d.lo, 0))-d.a)/d.b, (math.Log(d.hi)-d.a)/d.b)
	case distUniform:
		l, h := d.window()
		if !(d.a < d.b) || !(l < h) {
			return 0
		}
		return (h - l) / (d.b - d.a)
	case distUniformInt:
		l, h := d.window()
		l, h = math.Ceil(l), math.Floor(h)
		if !(d.a <= d.b) || h < l {
			return 0
		}
		return (h - l + 1) / (d.b - d.a + 1)
	case distExponential:
		l, h := d.window()
		if !(d.a > 0) || !(l <= h) {
			return 0
		}
		return math.Exp(-l/d.a) - math.Exp(-h/d.a)
	}
	return 0
}

// truncStdNormal maps u in [0,1) to a standard normal truncated to [a, b] by inversion of the
// distribution function, working in the tail nearer to the interval for accuracy.
func truncStdNormal(u, a, b float64) float64 {
	var x float64
	switch {
	case a >= 0:
		qa, qb := stdTail(a), stdTail(b)
		x = math.Sqrt2 * math.Erfcinv(2*(qa-u*(qa-qb)))
	case b <= 0:
		return -truncStdNormal(u, -b, -a)
	default:
		pa, pb := stdTail(-a), 1-stdTail(b) // P(Z < a), P(Z < b)
		p := pa + u*(pb-pa)
		if p < 0.5 {
			x = -math.Sqrt2 * math.Erfcinv(2*p)
		} else {
			x = math.Sqrt2 * math.Erfcinv(2*(1-p))
		}
	}
	return math.Min(math.Max(x, a), b)
}

// drawTruncated maps u in [0,1) to a draw of the base distribution truncated to the bounds,
// by inversion.
func (d Dist) drawTruncated(u float64) float64 {
	switch d.kind {
	case distNormal:
		return d.a + d.b*truncStdNormal(u, (d.lo-d.a)/d.b, (d.hi-d.a)/d.b)
	case distLogNormal:
		x := math.Exp(d.a + d.b*truncStdNormal(u, (math.Log(math.Max(d.lo, 0))-d.a)/d.b, (math.Log(d.hi)-d.a)/d.b))
		return math.Min(math.Max(x, d.lo), d.hi)
	case distUniform:
		l, h := d.window()
		return math.Min(l+u*(h-l), h)
	case distUniformInt:
		l, h := d.window()
		l, h = math.Ceil(l), math.Floor(h)
		return l + math.Min(math.Floor(u*(h-l+1)), h-l)
	case distExponential:
		// Memorylessness: X | X >= l is l + Exp(beta); invert on [0, h-l].
		l, h := d.window()
		span := -math.Expm1(-(h - l) / d.a) // P(X-l <= h-l), 1 when h is infinite
		x := l - d.a*math.Log1p(-u*span)
		return math.Min(math.Max(x, l), h)
	}
	return math.NaN()
}

func fmtNum(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// baseString formats the distribution without bounds.
func (d Dist) baseString() string {
	switch d.kind {
	case distNormal, distLogNormal:
		if d.nest2 {
			return fmt.Sprintf("%s(mu=%s, sigma=%s)", d.Name(), fmtNum(d.a), fmtNum(d.b))
		}
		return fmt.Sprintf("%s(mean=%s, std=%s)", d.Name(), fmtNum(d.a), fmtNum(d.b))
	case distUniform:
		if d.nest2 {
			return fmt.Sprintf("uniform(low=%s, high=%s)", fmtNum(d.a), fmtNum(d.b))
		}
		return fmt.Sprintf("uniform(min=%s, max=%s)", fmtNum(d.a), fmtNum(d.b))
	case distUniformInt:
		if d.nest2 {
			return fmt.Sprintf("uniform_int(low=%s, high=%s)", fmtNum(d.a), fmtNum(d.b))
		}
		return fmt.Sprintf("uniform_int(max=%s)", fmtNum(d.b+1))
	case distExponential:
		if d.nest2 {
			return fmt.Sprintf("exponential(lambda=%s)", fmtNum(1/d.a))
		}
		return fmt.Sprintf("exponential(beta=%s)", fmtNum(d.a))
	}
	return "invalid distribution"
}

// String formats d as NEST's Python API writes it, e.g. "normal(mean=-65, std=5)" or
// "redraw(normal(mean=0, std=1), min=-2, max=2)".
func (d Dist) String() string {
	switch d.mode {
	case boundRedraw:
		return fmt.Sprintf("redraw(%s, min=%s, max=%s)", d.baseString(), fmtNum(d.lo), fmtNum(d.hi))
	case boundClip:
		return fmt.Sprintf("clip(%s, min=%s, max=%s)", d.baseString(), fmtNum(d.lo), fmtNum(d.hi))
	}
	return d.baseString()
}

// Dict returns d as a dictionary that ParseDist reads back to an equal Dist:
// {"distribution": "normal", "mean": m, "std": s, "redraw": {"min": a, "max": b}} (infinite
// bounds left out). Distributions given with NEST 2 names keep them.
func (d Dist) Dict() status.Dict {
	out := status.Dict{}
	name := d.Name()
	switch d.kind {
	case distNormal, distLogNormal:
		if d.nest2 {
			out["mu"], out["sigma"] = d.a, d.b
		} else {
			out["mean"], out["std"] = d.a, d.b
		}
	case distUniform:
		if d.nest2 {
			out["low"], out["high"] = d.a, d.b
		} else {
			out["min"], out["max"] = d.a, d.b
		}
	case distUniformInt:
		if d.nest2 {
			out["low"], out["high"] = int64(d.a), int64(d.b)
		} else {
			out["max"] = int64(d.b) + 1
		}
	case distExponential:
		if d.nest2 {
			out["lambda"] = 1 / d.a
		} else {
			out["beta"] = d.a
		}
	}
	bounds := status.Dict{}
	if !math.IsInf(d.lo, -1) {
		bounds["min"] = d.lo
	}
	if !math.IsInf(d.hi, 1) {
		bounds["max"] = d.hi
	}
	switch d.mode {
	case boundRedraw:
		out["redraw"] = bounds
	case boundClip:
		name += "_clipped_to_boundary"
		if v, ok := bounds["min"]; ok {
			out["low"] = v
		}
		if v, ok := bounds["max"]; ok {
			out["high"] = v
		}
	}
	out["distribution"] = name
	return out
}

// DistNames returns the distribution names ParseDist knows, sorted: the NEST 3 names and
// the NEST 2 "_clipped" (redraw) and "_clipped_to_boundary" (clamp) variants.
func DistNames() []string {
	out := []string{"normal", "uniform", "uniform_int", "lognormal", "exponential"}
	for _, b := range []string{"normal", "lognormal", "exponential"} {
		out = append(out, b+"_clipped", b+"_clipped_to_boundary")
	}
	sort.Strings(out)
	return out
}

// ParseDist parses a distribution dictionary:
//
//	{"distribution": "normal", "mean": -65, "std": 5, "redraw": {"min": -70, "max": -60}}
//
// NEST 3 names and parameters (defaults in brackets): normal mean [0], std [1]; uniform min
// [0], max [1]; uniform_int max [1]; lognormal mean [0], std [1]; exponential beta [1].
// "redraw" is optional, and so is either of its bounds. NEST 2 parameter names are accepted
// too: mu/sigma (normal, lognormal), low/high (uniform; uniform_int, inclusive: low..high),
// lambda (exponential, the rate: beta = 1/lambda), as are NEST 2's "<dist>_clipped" (redraw
// into [low, high]) and "<dist>_clipped_to_boundary" (clamp to [low, high]) for normal,
// lognormal and exponential. Mixing the NEST 2 and NEST 3 name of a parameter is a
// BadProperty; an unknown key an UnaccessedDictionaryEntry.
func ParseDist(d status.Dict) (Dist, error) {
	r := status.NewReader(d, "distribution")
	var name string
	if !r.Has("distribution") {
		return Dist{}, status.Errorf(status.BadProperty, "distribution: the dictionary has no key 'distribution'; known distributions: %s", strings.Join(DistNames(), ", "))
	}
	if _, err := r.String("distribution", &name); err != nil {
		return Dist{}, err
	}
	base, mode := name, boundNone
	if b, ok := strings.CutSuffix(name, "_clipped_to_boundary"); ok {
		base, mode = b, boundClip
	} else if b, ok := strings.CutSuffix(name, "_clipped"); ok {
		base, mode = b, boundRedraw
	}
	r.Context = "distribution " + name
	var kind distKind
	for k, n := range distNames {
		if n != "" && n == base {
			kind = distKind(k)
		}
	}
	if kind == distNone || (mode != boundNone && (kind == distUniform || kind == distUniformInt)) {
		return Dist{}, status.Errorf(status.BadProperty, "distribution: unknown distribution %q; known distributions: %s", name, strings.Join(DistNames(), ", "))
	}

	// param reads the parameter under its NEST 3 name or its NEST 2 name (not both).
	nest2 := false
	param := func(new, old string, def float64) (float64, error) {
		x := def
		hasNew, hasOld := r.Has(new), old != "" && r.Has(old)
		if hasNew && hasOld {
			return 0, status.Errorf(status.BadProperty, "distribution %s: give either %s (NEST 3) or %s (NEST 2), not both", name, new, old)
		}
		key := new
		if hasOld {
			key, nest2 = old, true
		}
		if _, err := r.Float(key, &x); err != nil {
			return 0, err
		}
		return x, nil
	}
	intParam := func(key string, def int64) (int64, error) {
		x := def
		if _, err := r.Int(key, &x); err != nil {
			return 0, err
		}
		return x, nil
	}

	var dist Dist
	switch kind {
	case distNormal, distLogNormal:
		mean, err := param("mean", "mu", 0)
		if err != nil {
			return Dist{}, err
		}
		std, err := param("std", "sigma", 1)
		if err != nil {
			return Dist{}, err
		}
		dist = Dist{kind: kind, a: mean, b: std}
	case distUniform:
		hasNew := r.Has("min") || r.Has("max")
		hasOld := r.Has("low") || r.Has("high")
		if hasNew && hasOld {
			return Dist{}, status.Errorf(status.BadProperty, "distribution uniform: give either min/max (NEST 3) or low/high (NEST 2), not both")
		}
		lo, err := param("min", "low", 0)
		if err != nil {
			return Dist{}, err
		}
		hi, err := param("max", "high", 1)
		if err != nil {
			return Dist{}, err
		}
		dist = Uniform(lo, hi)
	case distUniformInt:
		if r.Has("low") || r.Has("high") {
			if r.Has("max") {
				return Dist{}, status.Errorf(status.BadProperty, "distribution uniform_int: give either max (NEST 3: 0..max-1) or low/high (NEST 2: low..high), not both")
			}
			low, err := intParam("low", 0)
			if err != nil {
				return Dist{}, err
			}
			high, err := intParam("high", 0)
			if err != nil {
				return Dist{}, err
			}
			dist = uniformIntRange(low, high)
		} else {
			max, err := intParam("max", 1)
			if err != nil {
				return Dist{}, err
			}
			dist = UniformInt(max)
		}
	case distExponential:
		if r.Has("lambda") {
			if r.Has("beta") {
				return Dist{}, status.Errorf(status.BadProperty, "distribution exponential: give either beta (NEST 3, the mean) or lambda (NEST 2, the rate 1/beta), not both")
			}
			var lambda float64
			if _, err := r.Float("lambda", &lambda); err != nil {
				return Dist{}, err
			}
			dist = Exponential(1 / lambda)
			nest2 = true
		} else {
			beta, err := param("beta", "", 1)
			if err != nil {
				return Dist{}, err
			}
			dist = Exponential(beta)
		}
	}
	dist.nest2 = dist.nest2 || nest2

	if mode != boundNone {
		if r.Has("redraw") {
			return Dist{}, status.Errorf(status.BadProperty, "distribution %s: bounds are given by low and high; 'redraw' is for the NEST 3 names (%s)", name, base)
		}
		lo, hi := math.Inf(-1), math.Inf(1)
		if _, err := r.Bound("low", &lo); err != nil {
			return Dist{}, err
		}
		if _, err := r.Bound("high", &hi); err != nil {
			return Dist{}, err
		}
		dist.nest2 = true
		if mode == boundClip {
			dist = dist.clip(lo, hi)
		} else {
			dist = dist.Redraw(lo, hi)
		}
	} else if raw, ok := r.Raw("redraw"); ok {
		rd, isDict := raw.(map[string]any)
		if !isDict {
			return Dist{}, status.Errorf(status.TypeMismatch, "distribution %s: redraw expects a dictionary {\"min\": a, \"max\": b} (either bound may be left out), got a value of type %T", name, raw)
		}
		rr := status.NewReader(rd, "redraw bounds of distribution "+name)
		lo, hi := math.Inf(-1), math.Inf(1)
		if _, err := rr.Bound("min", &lo); err != nil {
			return Dist{}, err
		}
		if _, err := rr.Bound("max", &hi); err != nil {
			return Dist{}, err
		}
		if u := rr.Unused(); len(u) > 0 {
			return Dist{}, status.Errorf(status.UnaccessedDictionaryEntry, "distribution %s: unaccessed elements in redraw dictionary: %s (redraw accepts min and max)", name, strings.Join(u, ", "))
		}
		dist = dist.Redraw(lo, hi)
	}

	if u := r.Unused(); len(u) > 0 {
		return Dist{}, status.Errorf(status.UnaccessedDictionaryEntry, "distribution %s: unaccessed elements in dictionary: %s (%s accepts %s)", name, strings.Join(u, ", "), name, distKeys(kind, mode))
	}
	if err := dist.Validate(); err != nil {
		return Dist{}, err
	}
	return dist, nil
}

// distKeys lists the keys a distribution dictionary accepts, for error messages.
func distKeys(kind distKind, mode boundMode) string {
	var keys string
	switch kind {
	case distNormal, distLogNormal:
		keys = "mean and std (NEST 2: mu and sigma)"
	case distUniform:
		keys = "min and max (NEST 2: low and high)"
	case distUniformInt:
		keys = "max (NEST 2: low and high)"
	case distExponential:
		keys = "beta (NEST 2: lambda = 1/beta)"
	}
	if mode == boundNone {
		return "distribution, " + keys + ", redraw"
	}
	return "distribution, " + keys + ", low, high"
}
