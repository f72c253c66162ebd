// Package ode owns the adaptive ODE integrator of the conductance-based and Hodgkin-Huxley neuron
// models: the embedded Runge-Kutta-Fehlberg 4(5) pair with the standard step-size control and the
// evolve rule of GSL's legacy odeiv API (rkf45, control_y_new/control_yp_new, evolve_apply), with
// the floating-point operations in the same order, so that a neuron integrated here follows the
// same trajectory as in NEST bit for bit. It also owns the exp and pow whose last bits those
// trajectories depend on (Exp, Pow: glibc's results, see libm.go).
//
// # Method
//
// One step of size h from (t, y) with k1 = f(t, y):
//
//	k2 = f(t + h/4,     y + (h/4)·k1)
//	k3 = f(t + 3h/8,    y + h·(3/32·k1 + 9/32·k2))
//	k4 = f(t + 12h/13,  y + h·(1932/2197·k1 − 7200/2197·k2 + 7296/2197·k3))
//	k5 = f(t + h,       y + h·(8341/4104·k1 − 32832/4104·k2 + 29440/4104·k3 − 845/4104·k4))
//	k6 = f(t + h/2,     y + h·(−6080/20520·k1 + 41040/20520·k2 − 28352/20520·k3
//	                           + 9295/20520·k4 − 5643/20520·k5))
//	y' = y + h·(c1·k1 + c3·k3 + c4·k4 + c5·k5 + c6·k6)          (fifth order)
//	     c1 = 902880/7618050, c3 = 3953664/7618050, c4 = 3855735/7618050,
//	     c5 = −1371249/7618050, c6 = 277020/7618050
//	err = h·(1/360·k1 − 128/4275·k3 − 2197/75240·k4 + 1/50·k5 + 2/55·k6)
//
// and the derivative f(t+h, y') at the new point is evaluated after every step (it is the control's
// yp and the next step's k1). Sums run left to right; every product is rounded before it is added.
//
// # Control
//
// With tolerances ε_abs, ε_rel and weights a_y, a_dydt (Y: 1, 0; YP: 0, 1), the step h_old gives
//
//	D_i = ε_rel·(a_y·|y'_i| + a_dydt·|h_old·yp_i|) + ε_abs,   r = max_i |err_i|/|D_i|  (NaN ignored)
//
// r > 1.1: h = max(0.9·r^(−1/5), 0.2)·h_old (decrease); r < 0.5: h = clamp(0.9·r^(−1/6), 1, 5)·h_old
// (increase); otherwise h is kept. r^e is Pow (correctly rounded, as glibc's pow nearly always is).
//
// # Evolve
//
// Evolve advances t towards t1 by one accepted step: a step longer than t1 − t is cut to t1 − t;
// a step whose control asks for a decrease is redone from the saved state with the smaller h, unless
// that h would no longer move t by one ulp, in which case it is accepted as it is. The suggested h is
// carried to the next call. Advance repeats Evolve from t = 0 while t < t1, as NEST does for each
// time step. GSL has no minimum step size; Evolve fails only when t stops moving (where the loop
// would never end) and Advance when the state is no longer finite.
package ode

import (
	"errors"
	"fmt"
	"math"
)

// Func evaluates the derivative of neuron i of a block at state y (Dim values) into dydt. The
// right-hand sides of the neuron models do not depend on t.
type Func func(i int, y, dydt []float64)

// Control holds the tolerances and weights of the standard step-size control.
type Control struct {
	EpsAbs, EpsRel, AY, ADydt float64
}

// Y is gsl_odeiv_control_y_new: the error is measured against the state.
func Y(epsAbs, epsRel float64) Control { return Control{EpsAbs: epsAbs, EpsRel: epsRel, AY: 1} }

// YP is gsl_odeiv_control_yp_new: the error is measured against h times the derivative.
func YP(epsAbs, epsRel float64) Control { return Control{EpsAbs: epsAbs, EpsRel: epsRel, ADydt: 1} }

// ErrStalled is returned when the step size no longer moves t (the integration cannot advance).
var ErrStalled = errors.New("integration step too small to advance time")

// ErrNotFinite is returned by Advance when a state variable becomes NaN or infinite.
var ErrNotFinite = errors.New("state is not finite")

// The Butcher tableau of rkf45. Go evaluates these constant expressions exactly and rounds once,
// which gives the same doubles as C's division of the integer literals.
const (
	ah0, ah1, ah2, ah4                  = 1.0 / 4.0, 3.0 / 8.0, 12.0 / 13.0, 1.0 / 2.0
	b31, b32                            = 3.0 / 32.0, 9.0 / 32.0
	b41, b42, b43                       = 1932.0 / 2197.0, -7200.0 / 2197.0, 7296.0 / 2197.0
	b51, b52, b53, b54                  = 8341.0 / 4104.0, -32832.0 / 4104.0, 29440.0 / 4104.0, -845.0 / 4104.0
	b61, b62, b63, b64, b65             = -6080.0 / 20520.0, 41040.0 / 20520.0, -28352.0 / 20520.0, 9295.0 / 20520.0, -5643.0 / 20520.0
	c1, c3, c4, c5, c6                  = 902880.0 / 7618050.0, 3953664.0 / 7618050.0, 3855735.0 / 7618050.0, -1371249.0 / 7618050.0, 277020.0 / 7618050.0
	ec1, ec3, ec4, ec5, ec6             = 1.0 / 360.0, -128.0 / 4275.0, -2197.0 / 75240.0, 1.0 / 50.0, 2.0 / 55.0
	order                               = 5
	safety, decFloor, incCap, incFloor  = 0.9, 0.2, 5.0, 1.0
	decThreshold, incThreshold, rmaxMin = 1.1, 0.5, 2.2250738585072014e-308
)

// Solver is the workspace for systems of one dimension; it is created once per block and reused
// for every neuron and step, so integrating allocates nothing.
type Solver struct {
	dim                             int
	y0, yerr, dydtIn, dydtOut, ytmp []float64
	k2, k3, k4, k5, k6              []float64
	Steps, Rejected                 uint64 // accepted and rejected steps, for diagnostics
}

// New returns a workspace for systems of dim equations.
func New(dim int) *Solver {
	w := make([]float64, 10*dim)
	part := func(k int) []float64 { return w[k*dim : (k+1)*dim : (k+1)*dim] }
	return &Solver{dim: dim, y0: part(0), yerr: part(1), dydtIn: part(2), dydtOut: part(3), ytmp: part(4),
		k2: part(5), k3: part(6), k4: part(7), k5: part(8), k6: part(9)}
}

// Dim is the number of equations.
func (s *Solver) Dim() int { return s.dim }

// step is one rkf45 step of size h for neuron i: y is replaced by the fifth-order solution, s.yerr
// receives the error estimate and s.dydtOut the derivative at the new point. k1 is s.dydtIn.
func (s *Solver) step(f Func, i int, y []float64, h float64) {
	n := s.dim
	y, k1, k2, k3, k4, k5, k6, yt := y[:n], s.dydtIn[:n], s.k2[:n], s.k3[:n], s.k4[:n], s.k5[:n], s.k6[:n], s.ytmp[:n]
	for j := range yt {
		yt[j] = y[j] + float64(float64(ah0*h)*k1[j])
	}
	f(i, yt, k2)
	for j := range yt {
		yt[j] = y[j] + float64(h*(float64(b31*k1[j])+float64(b32*k2[j])))
	}
	f(i, yt, k3)
	for j := range yt {
		yt[j] = y[j] + float64(h*(float64(b41*k1[j])+float64(b42*k2[j])+float64(b43*k3[j])))
	}
	f(i, yt, k4)
	for j := range yt {
		yt[j] = y[j] + float64(h*(float64(b51*k1[j])+float64(b52*k2[j])+float64(b53*k3[j])+float64(b54*k4[j])))
	}
	f(i, yt, k5)
	for j := range yt {
		yt[j] = y[j] + float64(h*(float64(b61*k1[j])+float64(b62*k2[j])+float64(b63*k3[j])+
			float64(b64*k4[j])+float64(b65*k5[j])))
	}
	f(i, yt, k6)
	for j := range y {
		d := float64(c1*k1[j]) + float64(c3*k3[j]) + float64(c4*k4[j]) + float64(c5*k5[j]) + float64(c6*k6[j])
		y[j] += float64(h * d)
	}
	f(i, y, s.dydtOut)
	e := s.yerr[:n]
	for j := range e {
		e[j] = h * (float64(ec1*k1[j]) + float64(ec3*k3[j]) + float64(ec4*k4[j]) + float64(ec5*k5[j]) + float64(ec6*k6[j]))
	}
}

// adjust is the standard control: it returns the new step size for a step of hOld that produced
// y, s.yerr and s.dydtOut, and whether the control asks for a decrease.
func (s *Solver) adjust(c Control, y []float64, hOld float64) (h float64, dec bool) {
	n := s.dim
	y, e, yp := y[:n], s.yerr[:n], s.dydtOut[:n]
	rmax := rmaxMin
	for j := range y {
		d0 := float64(c.EpsRel*(float64(c.AY*math.Abs(y[j]))+float64(c.ADydt*math.Abs(hOld*yp[j])))) + c.EpsAbs
		r := math.Abs(e[j]) / math.Abs(d0)
		if r > rmax {
			rmax = r
		}
	}
	switch {
	case rmax > decThreshold:
		r := decFloor
		if rmax <= decClampAbove {
			r = max(safety/Pow(rmax, 1.0/order), decFloor)
		}
		return r * hOld, true
	case rmax < incThreshold:
		r := incCap
		if rmax >= incClampBelow {
			r = min(safety/Pow(rmax, 1.0/(order+1.0)), incCap)
		}
		if r < incFloor {
			r = incFloor
		}
		return r * hOld, false
	}
	return hOld, false
}

// Bounds of rmax beyond which the factor S·rmax^(−e) is certainly clamped: increase by 5 when
// rmax < (S/5)^6, decrease by 0.2 when rmax > (S/0.2)^5, each with a relative margin far wider than
// the difference between e and the rounded exponents 1/6 and 1/5. Only factors inside need Pow.
const (
	incClampBelow = safety / incCap * (safety / incCap) * (safety / incCap) * (safety / incCap) *
		(safety / incCap) * (safety / incCap) * (1 - 1e-9)
	decClampAbove = safety / decFloor * (safety / decFloor) * (safety / decFloor) * (safety / decFloor) *
		(safety / decFloor) * (1 + 1e-9)
)

// Evolve is gsl_odeiv_evolve_apply for neuron i with state y (Dim values): it advances *t towards
// t1 by one accepted step, starting with the carried step size *h, and leaves the suggested next
// step size in *h. It fails with ErrStalled if the accepted step does not move *t.
func (s *Solver) Evolve(f Func, c Control, i int, y []float64, t *float64, t1 float64, h *float64) error {
	t0, h0 := *t, *h
	dt := t1 - t0
	if h0 <= 0 || dt <= 0 {
		return fmt.Errorf("ode: step %g towards an interval of %g: %w", h0, dt, ErrStalled)
	}
	copy(s.y0, y)
	f(i, y, s.dydtIn)
	for {
		final := h0 > dt
		if final {
			h0 = dt
		}
		s.step(f, i, y, h0)
		if final {
			*t = t1
		} else {
			*t = t0 + h0
		}
		hOld := h0
		var dec bool
		h0, dec = s.adjust(c, y, hOld)
		if dec {
			if math.Abs(h0) < math.Abs(hOld) && *t+h0 != *t {
				copy(y, s.y0)
				s.Rejected++
				continue
			}
			h0 = hOld
		}
		s.Steps++
		*h = h0
		if *t == t0 {
			return fmt.Errorf("ode: step %g at t = %g: %w", hOld, t0, ErrStalled)
		}
		return nil
	}
}

// Advance integrates neuron i from t = 0 to t1 as NEST does in one time step: Evolve while t < t1,
// carrying the step size in *h. It fails if Evolve fails or the state is no longer finite.
func (s *Solver) Advance(f Func, c Control, i int, y []float64, t1 float64, h *float64) error {
	t := 0.0
	for t < t1 {
		if err := s.Evolve(f, c, i, y, &t, t1, h); err != nil {
			return err
		}
	}
	return Finite(y)
}

// AdvanceBlock advances every neuron of a block by t1: neuron i has the state ys[i·Dim:(i+1)·Dim]
// and the carried step size hs[i]. It stops at the first neuron that fails and returns its index.
func (s *Solver) AdvanceBlock(f Func, c Control, ys, hs []float64, t1 float64) (int, error) {
	n := s.dim
	for i := range hs {
		if err := s.Advance(f, c, i, ys[i*n:(i+1)*n:(i+1)*n], t1, &hs[i]); err != nil {
			return i, err
		}
	}
	return -1, nil
}

// Finite returns ErrNotFinite if any value of y is NaN or infinite.
func Finite(y []float64) error {
	for _, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ErrNotFinite
		}
	}
	return nil
}
