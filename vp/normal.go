package vp

import "math"

// The standard normal sampler is the ziggurat method of G. Marsaglia and W. W. Tsang
// ("The ziggurat method for generating random variables", J. Stat. Softw. 5(8), 2000)
// with 256 layers, in the variant that draws the layer index and the abscissa from
// disjoint bits of one 64-bit word (avoiding the index/value correlation J. A. Doornik
// pointed out in "An improved ziggurat method to generate normal random samples", 2005)
// and uses a 53-bit abscissa.
//
// Let f(x) = exp(-x^2/2). The area under f on [0, inf) is covered by 256 layers of equal
// area v: a base layer (the rectangle [0, r] x [0, f(r)] plus the tail x > r) and 255
// rectangles [0, x_i] x [f(x_i), f(x_{i+1})], with x_1 = r > x_2 > ... > x_256 = 0 and
// x_0 = v/f(r). One draw:
//
//  1. take a uniform 64-bit word u: layer i = u & 255, sign = bit 8, U = (u>>11)*2^-53;
//  2. x = U*x_i; if x < x_{i+1} the point lies under f in every case: return ±x;
//  3. layer 0 (x >= r): return ±(a variate from the tail beyond r), by Marsaglia's
//     method: repeat a = -ln(U1)/r, b = -ln(U2) until 2b > a^2; return r + a;
//  4. otherwise x is in the wedge: with y uniform in [f(x_i), f(x_{i+1})], accept ±x if
//     y < f(x), else start again at 1.
//
// Every step is an exact rejection test, so the output is exactly standard normal up to
// the 53-bit resolution of the abscissa; about 99% of draws end at step 2 with one
// 64-bit draw, one multiply and one compare.
const (
	zigLayers = 256
	// zigR is the right edge x_1 of the base layer for 256 layers, the root of the
	// equal-area condition (Marsaglia & Tsang 2000: r = 3.6541528853610088).
	zigR = 3.6541528853610088
)

var (
	zigX [zigLayers + 1]float64 // x_i: right edges, x_0 = v/f(r), x_1 = r, x_256 = 0
	zigF [zigLayers + 1]float64 // f(x_i)
	zigV float64                // common layer area
)

func init() { zigV = zigInit(zigR, &zigX, &zigF) }

// zigInit fills the ziggurat tables for base edge r and returns the layer area
// v = r f(r) + integral_r^inf f = r f(r) + sqrt(pi/2) erfc(r/sqrt 2).
func zigInit(r float64, x, f *[zigLayers + 1]float64) float64 {
	fr := math.Exp(-0.5 * r * r)
	v := r*fr + math.Sqrt(math.Pi/2)*math.Erfc(r/math.Sqrt2)
	x[0], f[0] = v/fr, fr
	x[1], f[1] = r, fr
	for i := 1; i < zigLayers-1; i++ {
		// x_{i+1} = f^-1(v/x_i + f(x_i)), so that layer i has area x_i*(f(x_{i+1})-f(x_i)) = v.
		fi := v/x[i] + f[i]
		x[i+1] = math.Sqrt(-2 * math.Log(fi))
		f[i+1] = fi
	}
	x[zigLayers], f[zigLayers] = 0, 1
	return v
}

// Normal returns a standard normal variate (mean 0, variance 1) by the 256-layer
// ziggurat method described above. It keeps no cached value: its state is the stream.
func (s *Stream) Normal() float64 {
	for {
		u := s.Uint64()
		i := u & (zigLayers - 1)
		x := float64(u>>11) * 0x1p-53 * zigX[i]
		if x < zigX[i+1] {
			if u&0x100 != 0 {
				return -x
			}
			return x
		}
		if i == 0 {
			x = s.normalTail()
		} else {
			y := zigF[i] + s.Float64()*(zigF[i+1]-zigF[i])
			if y >= math.Exp(-0.5*x*x) {
				continue
			}
		}
		if u&0x100 != 0 {
			return -x
		}
		return x
	}
}

// normalTail returns a variate from the standard normal conditioned on x > zigR
// (G. Marsaglia, "Generating a variable from the tail of the normal distribution",
// Technometrics 6(1), 1964).
func (s *Stream) normalTail() float64 {
	for {
		a := -math.Log(1-s.Float64()) / zigR
		b := -math.Log(1 - s.Float64())
		if b+b > a*a {
			return zigR + a
		}
	}
}
