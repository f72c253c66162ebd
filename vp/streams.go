package vp

// Streams holds every random stream of one kernel on one rank, assigned as NEST's
// random_manager assigns them (nest-spec section 6):
//
//   - RankSync: the rank-synchronised stream NewStream(seed, KindRankSync, 0), identical
//     on every rank; for draws all ranks must agree on (fixed_outdegree target choice,
//     the split of fixed_total_number over VPs);
//   - ThreadSync[t]: one thread-synchronised stream per local thread, all equal to
//     NewStream(seed, KindThreadSync, 0) and so identical on every thread of every rank
//     (symmetric_pairwise_bernoulli);
//   - VP[t]: the VP-specific stream of local thread t, NewStream(seed, KindVP, vp) with
//     vp = Layout.VPOfThread(t); for everything a VP does on its own (poisson_generator,
//     noise_generator, random node parameters, per-connection draws of the target's VP).
//
// So a VP's stream depends only on (seed, vp), never on how the VPs are split into
// ranks and threads. Each stream belongs to the thread that uses it; Streams does no
// locking. The states can be saved and restored field by field (Stream.State/SetState);
// Layout is kept so that ForVP works on a restored value.
//
// The VP streams are written at every draw by their own threads, so each has cache lines of
// its own (VP[t] points into a slot of streamSlot size): side by side in one slice, two
// threads' streams shared a 64-byte line, and every draw moved that line between the cores
// (the microcircuit's Connect: a third of its time).
type Streams struct {
	Layout     Layout
	Seed       uint32
	RankSync   Stream
	ThreadSync []Stream
	VP         []*Stream
}

// NewSlots returns n zero streams, each on cache lines of its own: for per-thread copies of a
// stream (set each before use).
func NewSlots(n int) []*Stream {
	slots := make([]streamSlot, n)
	out := make([]*Stream, n)
	for i := range slots {
		out[i] = &slots[i].Stream
	}
	return out
}

// streamSlot is a Stream padded to 128 bytes: streams in consecutive slots are at least 96 bytes
// apart however the slice is aligned, so no cache line holds two.
type streamSlot struct {
	Stream
	_ [128 - 32]byte
}

// NewStreams returns the streams of rank l.Rank of layout l for rng_seed seed. It
// panics if l is not valid (see Layout.Validate).
func NewStreams(seed uint32, l Layout) *Streams {
	if err := l.Validate(); err != nil {
		panic(err)
	}
	s := &Streams{
		Layout:     l,
		Seed:       seed,
		RankSync:   NewStream(seed, KindRankSync, 0),
		ThreadSync: make([]Stream, l.Threads),
	}
	s.VP = NewSlots(l.Threads)
	ts := NewStream(seed, KindThreadSync, 0)
	for t := range s.VP {
		s.ThreadSync[t] = ts
		*s.VP[t] = NewStream(seed, KindVP, uint64(l.VPOfThread(t)))
	}
	return s
}

// ForVP returns the VP-specific stream of vp, or nil if vp is not a VP of this rank
// (it never panics).
func (s *Streams) ForVP(vp int) *Stream {
	if s == nil || !s.Layout.IsLocalVP(vp) {
		return nil
	}
	t := s.Layout.ThreadOfVP(vp)
	if t >= len(s.VP) {
		return nil
	}
	return s.VP[t]
}

// ForThread returns the VP-specific stream of local thread t, or nil if t is not a
// local thread.
func (s *Streams) ForThread(t int) *Stream {
	if s == nil || t < 0 || t >= len(s.VP) {
		return nil
	}
	return s.VP[t]
}
