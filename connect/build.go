package connect

import (
	"slices"

	"github.com/nest-mpi/nest-mpi/models/status"
	"github.com/nest-mpi/nest-mpi/vp"
)

// Streams are the random streams a rule may draw from while building on one VP. VP is the
// VP-specific stream of that VP. RankSync and ThreadSync are private copies (one per VP
// building in parallel) of the rank-synchronised and the thread-synchronised streams as they
// were when Connect started. Every VP advances its copies identically, so the caller copies
// any one of them back afterwards. A rule needs only the streams it uses (see the package
// documentation); a nil stream it needs is an InternalError.
type Streams struct {
	VP, RankSync, ThreadSync *vp.Stream
	// EmitDrawsNothing promises that the callback draws nothing from VP (constant connection
	// parameters): a rule may then draw a target's sources in bulk. Otherwise its own draws from
	// VP stay interleaved with the callback's, connection by connection, as NEST makes them.
	EmitDrawsNothing bool
	// EmitRun, when set (with EmitDrawsNothing), receives a run of connections from each of
	// srcs to tgt at once, in the place of one emit per connection (indices base, base+1, ...);
	// fixed_indegree hands over each target's sources this way. srcs is only valid during the
	// call.
	EmitRun func(srcs []uint64, tgt uint64, base int) error
	// EmitLocal, when set, receives fixed_total_number's connections in the place of emit, the
	// target given by its position among the VP's targets (those of targets that live on the
	// VP, in collection order), which spares the caller a look-up of the node per connection.
	EmitLocal func(src uint64, pos int, idx int) error
}

// Placement tells a rule where nodes live. TargetVP returns the VP of a target node, or -1 if
// the node is a device replicated on every VP (recorders): then the connection is owned by
// the VP of its source, SourceVP (which returns -1 for a replicated device source: every VP
// then owns its own copy of the connection). SourceVP is needed only for device targets.
type Placement struct {
	NumVPs   int
	TargetVP func(gid uint64) int
	SourceVP func(gid uint64) int
}

// Build enumerates, in NEST's order for the rule, every connection source->target owned by
// virtual process vpID, and calls emit for each; idx is the connection's index into
// array-valued syn_spec parameters (-1 when the rule does not accept arrays). The kernel
// draws the connection's parameters inside emit from st.VP, so rule draws and parameter draws
// interleave exactly as in NEST. An error returned by emit stops Build and is returned.
// sources and targets are node ids in collection order (they may repeat, as in
// Connect(array, array, one_to_one)). Build only reads sources, targets and pl, so the calls
// for different VPs may run concurrently, each with its own Streams.
//
// The kernel checks every syn_spec value with Spec.CheckValue before building on any VP
// (array lengths; no random values with make_symmetric, whose rules would otherwise draw
// parameters from a synchronised stream in NEST). Build first validates spec (Spec.Validate, Spec.Check) and, for the rules other than
// one_to_one and all_to_all, that no target is a replicated device (IllegalConnection); these
// checks and the infeasible requests it detects while drawing (for instance, without autapses
// and multapses, an indegree larger than the number of sources other than the target) fail
// identically on every VP. Per rule (n_s sources, n_t targets):
//
//   - one_to_one: for i in order, sources[i]->targets[i] (autapse skipped if disallowed),
//     idx i; no draws. With make_symmetric a second pass creates targets[i]->sources[i], idx
//     i again (NEST resets array parameters for it).
//   - all_to_all: for each target in order, each source in order; idx t*n_s+s; no draws.
//   - fixed_indegree: for each target of vpID in order, indegree times: draw a source index
//     uniformly with st.VP (UniformInt(n_s)), again while it gives an autapse or (without
//     multapses) an index drawn before for this target; emit; idx t*indegree+j.
//   - fixed_outdegree: for each source in order, outdegree times: draw a target index with
//     st.RankSync as above (every VP makes every draw); emit the ones whose target lives on
//     vpID; idx s*outdegree+j.
//   - fixed_total_number: N is split over the VPs by sequential binomials on st.RankSync (for
//     k = 0.., while connections remain, VP k with m_k of the n_t targets gets
//     Binomial(N - assigned, m_k/(targets on VPs k..)) connections); then, with st.VP, vpID
//     splits its quota over the sources in order by sequential binomials in proportion to
//     the pairs each may form (m_vp, less its own appearances among the targets without
//     autapses), and each source in order draws its targets (index UniformInt(m_vp) over
//     vpID's targets in order, again while it gives an autapse if disallowed); idx is the
//     running count of connections on vpID. NEST draws the quota's pairs one by one
//     (source, then target); the pairs have the same distribution (independent, uniform
//     over the allowed pairs), and made in source order they need no sort by source
//     when they are stored.
//   - pairwise_bernoulli: for each target of vpID in order, each source in order (autapse
//     pairs skipped without a draw): connect iff U < p, U = st.VP.Float64(); idx -1.
//   - symmetric_pairwise_bernoulli: on st.ThreadSync, for each target in order (on every
//     VP): draw k ~ Binomial(n_s, p) again until k < n_s, then k distinct sources other than
//     the target (UniformInt(n_s), rejecting repeats and the target); for each, emit
//     source->target if the target lives on vpID and target->source if the source does;
//     idx -1.
func Build(spec Spec, sources, targets []uint64, vpID int, pl Placement, st Streams, emit func(src, tgt uint64, idx int) error) error {
	if err := spec.Check(len(sources), len(targets)); err != nil {
		return err
	}
	if pl.NumVPs < 1 || vpID < 0 || vpID >= pl.NumVPs || pl.TargetVP == nil {
		return status.Errorf(status.InternalError, "connect.Build: invalid placement (NumVPs=%d, vp=%d, TargetVP set: %v)", pl.NumVPs, vpID, pl.TargetVP != nil)
	}
	b := builder{spec: spec, sources: sources, targets: targets, vp: vpID, pl: pl, st: st, emit: emit}
	switch spec.Rule {
	case RuleOneToOne:
		return b.oneToOne()
	case RuleAllToAll:
		return b.allToAll()
	}
	if err := b.requireProxies(targets); err != nil {
		return err
	}
	switch spec.Rule {
	case RuleFixedIndegree:
		return b.fixedIndegree()
	case RuleFixedOutdegree:
		return b.fixedOutdegree()
	case RuleFixedTotalNumber:
		return b.fixedTotalNumber()
	case RulePairwiseBernoulli:
		return b.pairwiseBernoulli()
	case RuleSymmetricPairwiseBernoulli:
		if err := b.requireProxies(sources); err != nil {
			return err
		}
		return b.symmetricPairwiseBernoulli()
	}
	return ruleError(spec.Rule)
}

type builder struct {
	spec             Spec
	sources, targets []uint64
	vp               int
	pl               Placement
	st               Streams
	emit             func(src, tgt uint64, idx int) error
}

// targetVP returns the VP of a target, checking the range.
func (b *builder) targetVP(gid uint64) (int, error) {
	v := b.pl.TargetVP(gid)
	if v < -1 || v >= b.pl.NumVPs {
		return 0, status.Errorf(status.InternalError, "connect.Build: Placement.TargetVP(%d) = %d is not a VP (NumVPs=%d) nor -1", gid, v, b.pl.NumVPs)
	}
	return v, nil
}

// owns reports whether b.vp owns the connection src->tgt, where tv = TargetVP(tgt).
func (b *builder) owns(src uint64, tv int) (bool, error) {
	if tv >= 0 {
		return tv == b.vp, nil
	}
	if b.pl.SourceVP == nil {
		return false, status.Errorf(status.InternalError, "connect.Build: a target is a replicated device but Placement.SourceVP is not set")
	}
	sv := b.pl.SourceVP(src)
	if sv < -1 || sv >= b.pl.NumVPs {
		return false, status.Errorf(status.InternalError, "connect.Build: Placement.SourceVP(%d) = %d is not a VP (NumVPs=%d) nor -1", src, sv, b.pl.NumVPs)
	}
	return sv < 0 || sv == b.vp, nil
}

// requireProxies fails if any node is a replicated device (NEST: rules other than one_to_one
// and all_to_all need targets with proxies).
func (b *builder) requireProxies(nodes []uint64) error {
	for _, g := range nodes {
		v, err := b.targetVP(g)
		if err != nil {
			return err
		}
		if v < 0 {
			return status.Errorf(status.IllegalConnection, "conn_spec (rule %s): cannot use this rule to connect to node %d, which has no proxies (usually a device such as a recorder); use one_to_one or all_to_all", b.spec.Rule, g)
		}
	}
	return nil
}

func (b *builder) stream(s *vp.Stream, name string) (*vp.Stream, error) {
	if s == nil {
		return nil, status.Errorf(status.InternalError, "connect.Build: rule %s needs the %s stream, which is nil", b.spec.Rule, name)
	}
	return s, nil
}

func (b *builder) oneToOne() error {
	pass := func(from, to []uint64) error {
		for i, t := range to {
			s := from[i]
			if !b.spec.AllowAutapses && s == t {
				continue
			}
			tv, err := b.targetVP(t)
			if err != nil {
				return err
			}
			own, err := b.owns(s, tv)
			if err != nil {
				return err
			}
			if own {
				if err := b.emit(s, t, i); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := pass(b.sources, b.targets); err != nil {
		return err
	}
	if b.spec.MakeSymmetric {
		return pass(b.targets, b.sources)
	}
	return nil
}

func (b *builder) allToAll() error {
	ns := len(b.sources)
	for ti, t := range b.targets {
		tv, err := b.targetVP(t)
		if err != nil {
			return err
		}
		if tv >= 0 && tv != b.vp {
			continue
		}
		for si, s := range b.sources {
			if !b.spec.AllowAutapses && s == t {
				continue
			}
			if tv < 0 {
				own, err := b.owns(s, tv)
				if err != nil {
					return err
				}
				if !own {
					continue
				}
			}
			if err := b.emit(s, t, ti*ns+si); err != nil {
				return err
			}
		}
	}
	return nil
}

// counter counts the occurrences of node ids in a population (built only when needed).
type counter struct{ sorted []uint64 }

func newCounter(nodes []uint64) counter {
	s := slices.Clone(nodes)
	slices.Sort(s)
	return counter{s}
}

func (c counter) count(g uint64) int {
	i, found := slices.BinarySearch(c.sorted, g)
	if !found {
		return 0
	}
	j := i
	for j < len(c.sorted) && c.sorted[j] == g {
		j++
	}
	return j - i
}

// distinct returns the number of distinct ids.
func (c counter) distinct() int {
	n := 0
	for i := range c.sorted {
		if i == 0 || c.sorted[i] != c.sorted[i-1] {
			n++
		}
	}
	return n
}

// feasible checks that k draws for node from a pool of n indices, of which self are the node
// itself (and are rejected, autapses being disallowed), can succeed.
func (b *builder) feasible(k int64, n, self int, node uint64, degree, pool string) error {
	avail := int64(n - self)
	if k == 0 || (avail > 0 && (b.spec.AllowMultapses || k <= avail)) {
		return nil
	}
	without := "autapses"
	if !b.spec.AllowMultapses {
		without = "autapses and multapses"
	}
	return status.Errorf(status.BadProperty, "conn_spec (rule %s): cannot draw %s=%d %s for node %d without %s: only %d candidates other than the node itself; the rule would never finish", b.spec.Rule, degree, k, pool, node, without, avail)
}

func (b *builder) fixedIndegree() error {
	rng, err := b.stream(b.st.VP, "VP")
	if err != nil {
		return err
	}
	k, n := b.spec.Indegree, len(b.sources)
	var cnt counter
	if !b.spec.AllowAutapses {
		cnt = newCounter(b.sources)
	}
	var seen idSet
	var draws []uint64
	for ti, t := range b.targets {
		if b.pl.TargetVP(t) != b.vp {
			continue
		}
		if !b.spec.AllowAutapses {
			if err := b.feasible(k, n, cnt.count(t), t, "indegree", "sources"); err != nil {
				return err
			}
		}
		base := ti * int(k)
		if b.spec.AllowMultapses && b.st.EmitDrawsNothing {
			if err := b.indegreeWithMultapses(rng, int(k), t, base, &draws); err != nil {
				return err
			}
			continue
		}
		if !b.spec.AllowMultapses {
			seen.resetIndices(int(k), n)
		}
		for j := 0; j < int(k); j++ {
			var s uint64
			for {
				si := rng.UniformInt(uint64(n))
				s = b.sources[si]
				if !b.spec.AllowAutapses && s == t {
					continue
				}
				if !b.spec.AllowMultapses && !seen.insert(si) {
					continue
				}
				break
			}
			if err := b.emit(s, t, base+j); err != nil {
				return err
			}
		}
	}
	return nil
}

// indegreeWithMultapses draws the k sources of target t (multapses allowed) and emits them as
// fixedIndegree's loop does, one uniform index per draw and a redraw after an autapse, drawing the
// indices in bulk: as many as are still missing at a time, so the stream advances by exactly the
// draws made (draws is scratch).
func (b *builder) indegreeWithMultapses(rng *vp.Stream, k int, t uint64, base int, draws *[]uint64) error {
	if cap(*draws) < k {
		*draws = make([]uint64, k)
	}
	n := uint64(len(b.sources))
	for j := 0; j < k; {
		batch := (*draws)[:k-j]
		rng.UniformInts(n, batch)
		if b.st.EmitRun != nil {
			m := 0
			for _, si := range batch { // the indices become the sources, autapses dropped
				s := b.sources[si]
				batch[m] = s
				if b.spec.AllowAutapses || s != t {
					m++
				}
			}
			if err := b.st.EmitRun(batch[:m], t, base+j); err != nil {
				return err
			}
			j += m
			continue
		}
		for _, si := range batch {
			s := b.sources[si]
			if !b.spec.AllowAutapses && s == t {
				continue
			}
			if err := b.emit(s, t, base+j); err != nil {
				return err
			}
			j++
		}
	}
	return nil
}

func (b *builder) fixedOutdegree() error {
	rng, err := b.stream(b.st.RankSync, "rank-synchronised")
	if err != nil {
		return err
	}
	k, n := b.spec.Outdegree, len(b.targets)
	var cnt counter
	if !b.spec.AllowAutapses {
		cnt = newCounter(b.targets)
	}
	var seen idSet
	for si, s := range b.sources {
		if !b.spec.AllowAutapses {
			if err := b.feasible(k, n, cnt.count(s), s, "outdegree", "targets"); err != nil {
				return err
			}
		}
		if !b.spec.AllowMultapses {
			seen.resetIndices(int(k), n)
		}
		base := si * int(k)
		for j := 0; j < int(k); j++ {
			var t uint64
			for {
				ti := rng.UniformInt(uint64(n))
				t = b.targets[ti]
				if !b.spec.AllowAutapses && s == t {
					continue
				}
				if !b.spec.AllowMultapses && !seen.insert(ti) {
					continue
				}
				break
			}
			if b.pl.TargetVP(t) == b.vp {
				if err := b.emit(s, t, base+j); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// splitTotal distributes n connections over the VPs by sequential binomials (GSL's
// multinomial algorithm, as NEST's FixedTotalNumberBuilder): VP k, holding counts[k] of the
// total targets, gets Binomial(n - assigned, counts[k] / (targets on VPs k, k+1, ...)).
func splitTotal(n int64, counts []int64, total int64, rng *vp.Stream) []int64 {
	quota := make([]int64, len(counts))
	var assigned, before int64
	for k, c := range counts {
		if assigned == n {
			break
		}
		if c > 0 {
			quota[k] = rng.Binomial(n-assigned, float64(c)/float64(total-before))
		}
		before += c
		assigned += quota[k]
	}
	return quota
}

func (b *builder) fixedTotalNumber() error {
	rs, err := b.stream(b.st.RankSync, "rank-synchronised")
	if err != nil {
		return err
	}
	counts := make([]int64, b.pl.NumVPs)
	var local []uint64
	for _, t := range b.targets {
		v := b.pl.TargetVP(t) // checked by requireProxies
		counts[v]++
		if v == b.vp {
			local = append(local, t)
		}
	}
	quota := splitTotal(b.spec.N, counts, int64(len(b.targets)), rs)[b.vp]
	if quota == 0 {
		return nil
	}
	rng, err := b.stream(b.st.VP, "VP")
	if err != nil {
		return err
	}
	pairs, total := b.pairsPerSource(local)
	if total == 0 { // without autapses: every source and local target is one node
		return status.Errorf(status.BadProperty, "conn_spec (rule fixed_total_number): without autapses no connection can be made on VP %d: its only target %d is the only source; the rule would never finish", b.vp, local[0])
	}
	// The quota is split over the sources first (sequential binomials, in proportion to the
	// pairs each may form), then each source draws its targets: the same distribution as
	// pairs drawn one by one, with the connections made in source order.
	perSource := splitTotal(quota, pairs, total, rng)
	nt := uint64(len(local))
	idx := 0
	for si, n := range perSource {
		s := b.sources[si]
		for range n {
			pos := rng.UniformInt(nt)
			for !b.spec.AllowAutapses && local[pos] == s {
				pos = rng.UniformInt(nt)
			}
			var err error
			if b.st.EmitLocal != nil {
				err = b.st.EmitLocal(s, int(pos), idx)
			} else {
				err = b.emit(s, local[pos], idx)
			}
			if err != nil {
				return err
			}
			idx++
		}
	}
	return nil
}

// pairsPerSource returns, per source index, the number of (source, local target) index pairs
// the rule may draw (every local target, less those that are the source itself when autapses
// are not allowed), and their sum.
func (b *builder) pairsPerSource(local []uint64) (per []int64, total int64) {
	per = make([]int64, len(b.sources))
	var self map[uint64]int64
	if !b.spec.AllowAutapses {
		self = make(map[uint64]int64, len(local))
		for _, t := range local {
			self[t]++
		}
	}
	for i, s := range b.sources {
		per[i] = int64(len(local)) - self[s]
		total += per[i]
	}
	return per, total
}

func (b *builder) pairwiseBernoulli() error {
	rng, err := b.stream(b.st.VP, "VP")
	if err != nil {
		return err
	}
	p := b.spec.P
	for _, t := range b.targets {
		if b.pl.TargetVP(t) != b.vp {
			continue
		}
		for _, s := range b.sources {
			if !b.spec.AllowAutapses && s == t {
				continue
			}
			if rng.Float64() >= p {
				continue
			}
			if err := b.emit(s, t, -1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *builder) symmetricPairwiseBernoulli() error {
	rng, err := b.stream(b.st.ThreadSync, "thread-synchronised")
	if err != nil {
		return err
	}
	n := int64(len(b.sources))
	if n == 0 {
		return nil
	}
	// With repeated source ids, fewer distinct candidates than drawn sources could exist.
	var cnt counter
	distinct := n
	if c := newCounter(b.sources); int64(c.distinct()) < n {
		cnt, distinct = c, int64(c.distinct())
	}
	var seen idSet
	for _, t := range b.targets {
		k := n
		for k >= n {
			k = rng.Binomial(n, b.spec.P)
		}
		if cnt.sorted != nil {
			avail := distinct
			if cnt.count(t) > 0 {
				avail--
			}
			if k > avail {
				return status.Errorf(status.BadProperty, "conn_spec (rule symmetric_pairwise_bernoulli): cannot draw %d distinct sources other than node %d from %d distinct source ids; the rule would never finish", k, t, distinct)
			}
		}
		tLocal := b.pl.TargetVP(t) == b.vp
		seen.reset(int(k))
		for i := int64(0); i < k; {
			s := b.sources[rng.UniformInt(uint64(n))]
			if s == t || !seen.insert(s) {
				continue
			}
			if tLocal {
				if err := b.emit(s, t, -1); err != nil {
					return err
				}
			}
			if b.pl.TargetVP(s) == b.vp {
				if err := b.emit(t, s, -1); err != nil {
					return err
				}
			}
			i++
		}
	}
	return nil
}

// idSet is the set of indices or ids already drawn for one node. It is cleared in O(1) by
// generation stamps. Over a small universe of indices 0..u-1 (see resetIndices) it is a stamp
// array indexed directly; otherwise an open-addressing hash table of at most half load.
type idSet struct {
	keys   []uint64
	stamp  []uint32
	gen    uint32
	mask   uint64
	direct bool
}

// directMax is the largest universe indexed directly (4 MiB of stamps).
const directMax = 1 << 20

// resetIndices empties the set for n keys drawn from the indices 0..universe-1.
func (s *idSet) resetIndices(n, universe int) {
	if universe > directMax || universe > 64*n {
		s.reset(n)
		return
	}
	if !s.direct || len(s.stamp) < universe {
		s.stamp, s.keys, s.gen, s.direct = make([]uint32, universe), nil, 0, true
	}
	s.next()
}

// reset empties the set and makes room for n arbitrary keys.
func (s *idSet) reset(n int) {
	size := 8
	for size < 2*n {
		size <<= 1
	}
	if s.direct || size > len(s.keys) {
		s.keys, s.stamp, s.gen, s.direct = make([]uint64, size), make([]uint32, size), 0, false
		s.mask = uint64(size - 1)
	}
	s.next()
}

// next starts a new generation, clearing the stamps when the counter wraps.
func (s *idSet) next() {
	s.gen++
	if s.gen == 0 {
		clear(s.stamp)
		s.gen = 1
	}
}

// insert adds k and reports whether it was absent.
func (s *idSet) insert(k uint64) bool {
	if s.direct {
		if s.stamp[k] == s.gen {
			return false
		}
		s.stamp[k] = s.gen
		return true
	}
	i := (k * 0x9e3779b97f4a7c15) >> 32 & s.mask
	for s.stamp[i] == s.gen {
		if s.keys[i] == k {
			return false
		}
		i = (i + 1) & s.mask
	}
	s.keys[i], s.stamp[i] = k, s.gen
	return true
}
