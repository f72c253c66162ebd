package vp

import (
	"math"
	"math/bits"
)

// Stream kinds, as NEST's random_manager names them: the second word of the seed
// sequence of each kind of stream.
const (
	// KindRankSync keys the rank-synchronised stream {seed, KindRankSync}, identical on
	// every rank.
	KindRankSync uint32 = 0xc229212d
	// KindThreadSync keys the thread-synchronised streams {seed, KindThreadSync},
	// identical on every thread of every rank.
	KindThreadSync uint32 = 0x37722d5e
	// KindVP keys the VP-specific streams {seed, KindVP, vp}.
	KindVP uint32 = 0xb84c9bae
	// KindNode keys per-node streams {seed, KindNode, gid}. It is a nest-mpi extension
	// (NEST has no such streams), reserved for an rng_streams "per_node" option that
	// would make results independent of N_vp. The value is ASCII "NODE".
	KindNode uint32 = 0x4e4f4445
)

// Stream is a xoshiro256** pseudo-random generator (D. Blackman and S. Vigna,
// "Scrambled linear pseudorandom number generators", ACM Trans. Math. Softw. 47(4),
// 2021; reference code at prng.di.unimi.it): 256 bits of state, period 2^256 - 1,
// 64-bit output, equidistributed in 4 dimensions, passing BigCrush and PractRand in all
// output bits. Its whole state is the four words S, so it can be copied, stored and
// restored as plain data (State, SetState), and every sampler below draws only from S:
// nothing is cached between calls.
//
// The zero Stream is not valid (an all-zero state is a fixed point that yields only
// zeros); make one with NewStream. A Stream is not safe for concurrent use: each is
// owned by one thread.
type Stream struct {
	S [4]uint64
}

// golden is 2^64/phi, the SplitMix64 increment (Weyl constant).
const golden = 0x9e3779b97f4a7c15

// mix64 is the SplitMix64 output function (Stafford's "Mix13" variant of the MurmurHash3
// finaliser; G. Steele, D. Lea, C. Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014). It is a bijection on 64-bit words.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// splitMix64 advances a SplitMix64 generator with state *x and returns its next output.
func splitMix64(x *uint64) uint64 {
	*x += golden
	return mix64(*x)
}

// mix128 is a four-round Feistel network on 128 bits with round function
// F_r(x) = mix64(x + (r+1)*golden). Any Feistel network is a bijection, so distinct
// inputs give distinct outputs, and four rounds make every output bit depend on every
// input bit.
func mix128(hi, lo uint64) (uint64, uint64) {
	for r := uint64(1); r <= 4; r++ {
		hi, lo = lo, hi^mix64(lo+r*golden)
	}
	return hi, lo
}

// NewStream returns the stream keyed by (seed, kind, index). NEST seeds each of its
// generators from a list of 32-bit words ({seed, kind} or {seed, kind, vp}); here the
// key is the 128-bit word (seed<<96 | kind<<64 | index) and the state is derived as
//
//	(k0, k1) = mix128(seed<<32 | kind, index)   // bijective 128-bit mix
//	S[0], S[1] = first two outputs of SplitMix64 started at k0
//	S[2], S[3] = first two outputs of SplitMix64 started at k1
//
// which is the seeding Blackman and Vigna recommend (SplitMix64), applied to both halves
// of the mixed key. Because mix128 and the SplitMix64 output function are bijections,
// distinct keys give distinct initial states (S[0] and S[2] alone determine the key), and
// the state is never all zero (S[0] = S[1] = 0 would need k0+golden = k0+2*golden = 0).
// With 2^256-1 period and states spread by the mix, overlap of the streams of any
// realistic number of keys is negligible.
//
// Streams without an index (rank- and thread-synchronised) use index 0.
func NewStream(seed uint32, kind uint32, index uint64) Stream {
	k0, k1 := mix128(uint64(seed)<<32|uint64(kind), index)
	var s Stream
	s.S[0] = splitMix64(&k0)
	s.S[1] = splitMix64(&k0)
	s.S[2] = splitMix64(&k1)
	s.S[3] = splitMix64(&k1)
	return s
}

// State returns the generator's state (a copy).
func (s *Stream) State() [4]uint64 { return s.S }

// SetState restores a state previously returned by State. It panics if st is all zero,
// which is never a valid xoshiro256** state.
func (s *Stream) SetState(st [4]uint64) {
	if st == [4]uint64{} {
		panic("vp: Stream.SetState: all-zero state is not a valid xoshiro256** state")
	}
	s.S = st
}

// Valid reports whether the state is usable (not all zero).
func (s *Stream) Valid() bool { return s.S != [4]uint64{} }

// Uint64 returns the next 64 uniformly distributed bits (xoshiro256** step:
// output rotl(S1*5, 7)*9, then the xorshift/rotate linear update of the state).
func (s *Stream) Uint64() uint64 {
	// Written so that the compiler inlines it: the reference update
	//	t = s1<<17; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 45)
	// with the new words computed from the old ones in one assignment.
	s0, s1, s2, s3 := s.S[0], s.S[1], s.S[2], s.S[3]
	s2 ^= s0
	s3 ^= s1
	s.S = [4]uint64{s0 ^ s3, s1 ^ s2, s2 ^ (s1 << 17), bits.RotateLeft64(s3, 45)}
	return bits.RotateLeft64(s1*5, 7) * 9
}

// Float64 returns a uniform variate in [0, 1): the top 53 bits of Uint64 times 2^-53,
// so every multiple of 2^-53 in [0, 1) is equally likely.
func (s *Stream) Float64() float64 {
	return float64(s.Uint64()>>11) * 0x1p-53
}

// Uniform returns min + U*(max-min) with U = Float64(), NEST's nest.random.uniform.
func (s *Stream) Uniform(min, max float64) float64 {
	return min + s.Float64()*(max-min)
}

// UniformInt returns a uniform integer in [0, n) by Lemire's multiply-shift method with
// rejection (D. Lemire, "Fast random integer generation in an interval", ACM TOMACS
// 29(1), 2019): the high word of x*n for a uniform 64-bit x, rejecting the
// (2^64 mod n) values of x whose low word falls below 2^64 mod n, so the result is
// exactly unbiased. The division is only computed when a rejection is possible.
// NEST's nest.random.uniform_int(max) is UniformInt(max). It panics if n == 0.
func (s *Stream) UniformInt(n uint64) uint64 {
	if n == 0 {
		panic("vp: Stream.UniformInt: n must be > 0")
	}
	hi, lo := bits.Mul64(s.Uint64(), n)
	if lo < n {
		thresh := -n % n // 2^64 mod n
		for lo < thresh {
			hi, lo = bits.Mul64(s.Uint64(), n)
		}
	}
	return hi
}

// UniformInts sets every element of out to a uniform integer in [0, n): the values of len(out)
// calls of UniformInt(n), in order, leaving the stream where they leave it, with the state in
// local variables meanwhile (a Stream reached through a pointer is reloaded and stored at every
// draw). It panics if n == 0.
func (s *Stream) UniformInts(n uint64, out []uint64) {
	if n == 0 {
		panic("vp: Stream.UniformInts: n must be > 0")
	}
	thresh := -n % n // 2^64 mod n
	s0, s1, s2, s3 := s.S[0], s.S[1], s.S[2], s.S[3]
	for i := range out {
		for {
			x := bits.RotateLeft64(s1*5, 7) * 9
			s2 ^= s0
			s3 ^= s1
			s0, s1, s2, s3 = s0^s3, s1^s2, s2^(s1<<17), bits.RotateLeft64(s3, 45)
			hi, lo := bits.Mul64(x, n)
			if lo >= thresh {
				out[i] = hi
				break
			}
		}
	}
	s.S = [4]uint64{s0, s1, s2, s3}
}

// NormalMS returns a normal variate with the given mean and standard deviation:
// mean + std*Normal(). NEST's nest.random.normal(mean, std).
func (s *Stream) NormalMS(mean, std float64) float64 {
	return mean + std*s.Normal()
}

// LogNormal returns exp(mu + sigma*Normal()): a log-normal variate whose logarithm has
// mean mu and standard deviation sigma (NEST's nest.random.lognormal(mean, std)).
func (s *Stream) LogNormal(mu, sigma float64) float64 {
	return math.Exp(mu + sigma*s.Normal())
}

// Exponential returns an exponential variate with mean beta by inversion,
// -beta*ln(1-U) with U = Float64() (NEST's nest.random.exponential(beta)). 1-U lies in
// (0, 1] and is computed exactly, so the result is finite and >= 0.
func (s *Stream) Exponential(beta float64) float64 {
	return -beta * math.Log(1-s.Float64())
}
