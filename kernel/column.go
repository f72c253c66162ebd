package kernel

import (
	"math"
	"slices"

	"github.com/nest-mpi/nest-mpi/models"
	"github.com/nest-mpi/nest-mpi/models/state"
)

// maxCodes is the number of distinct weights a dictionary-coded weight column can hold (its
// codes are bytes).
const maxCodes = 256

// weightCol is the weight column of a connection store. The weights of a static network are
// mostly a few values (one per Connect call: J, −g·J), so a store of a model without
// per-connection state keeps them dictionary-coded: the distinct values (compared bit for bit,
// so −0 and +0 stay apart) in dict, and one byte per connection in codes, or no byte at all
// while every weight is dict[0]. A 257th distinct value, or a store whose model writes weights
// (plastic synapses), keeps them plain: one float64 per connection. Either way at(i) is the
// exact weight that was added or set.
type weightCol struct {
	plain []float64 // the weights, when not coded
	coded bool      // dictionary-coded: dict, codes and n hold the column
	dict  []float64 // distinct weights in order of first appearance
	codes []uint8   // weight i is dict[codes[i]]; nil while every weight is dict[0]
	n     int       // length of a coded column
	last  uint8     // code of the last weight added (most additions repeat it)
	want  int       // capacity reserved for a coded column whose codes are not yet allocated
}

// newWeightCol returns an empty column, coded unless plain is set.
func newWeightCol(plain bool) weightCol { return weightCol{coded: !plain} }

func (c *weightCol) len() int {
	if c.coded {
		return c.n
	}
	return len(c.plain)
}

// at returns weight i.
func (c *weightCol) at(i int) float64 {
	if !c.coded {
		return c.plain[i]
	}
	if c.codes == nil {
		return c.dict[0]
	}
	return c.dict[c.codes[i]]
}

// code returns the dictionary code of w, adding w to the dictionary if there is room; ok is
// false when the dictionary is full.
func (c *weightCol) code(w float64) (code uint8, ok bool) {
	bits := math.Float64bits(w)
	if len(c.dict) > 0 && math.Float64bits(c.dict[c.last]) == bits {
		return c.last, true
	}
	for k, d := range c.dict {
		if math.Float64bits(d) == bits {
			return uint8(k), true
		}
	}
	if len(c.dict) == maxCodes {
		return 0, false
	}
	c.dict = append(c.dict, w)
	return uint8(len(c.dict) - 1), true
}

// add appends w.
func (c *weightCol) add(w float64) {
	if !c.coded {
		c.plain = append(c.plain, w)
		return
	}
	k, ok := c.code(w)
	if !ok {
		c.decode()
		c.plain = append(c.plain, w)
		return
	}
	c.last = k
	if c.codes == nil {
		if k == 0 {
			c.n++
			return
		}
		c.allocCodes()
	}
	c.codes = append(c.codes, k)
	c.n++
}

// allocCodes gives a coded column whose weights are all dict[0] its codes (zeros), with the
// capacity reserved so far.
func (c *weightCol) allocCodes() {
	c.codes = make([]uint8, c.n, max(c.want, c.n+1))
}

// set replaces weight i.
func (c *weightCol) set(i int, w float64) {
	if !c.coded {
		c.plain[i] = w
		return
	}
	k, ok := c.code(w)
	if !ok {
		c.decode()
		c.plain[i] = w
		return
	}
	if c.codes == nil {
		if k == 0 {
			return
		}
		c.allocCodes()
	}
	c.codes[i] = k
}

// decode turns a coded column into a plain one (keeping the capacity reserved).
func (c *weightCol) decode() {
	if !c.coded {
		return
	}
	plain := make([]float64, c.n, max(c.n, c.want, cap(c.codes)))
	for i := range plain {
		plain[i] = c.at(i)
	}
	*c = weightCol{plain: plain}
}

// reserve makes room for n more weights.
func (c *weightCol) reserve(n int) {
	switch {
	case !c.coded:
		c.plain = slices.Grow(c.plain, n)
	case c.codes != nil:
		c.codes = slices.Grow(c.codes, n)
	default:
		c.want = max(c.want, c.n+n)
	}
}

// capLeft is the room left for weights without growing.
func (c *weightCol) capLeft() int {
	switch {
	case !c.coded:
		return cap(c.plain) - len(c.plain)
	case c.codes != nil:
		return cap(c.codes) - len(c.codes)
	}
	return math.MaxInt
}

// truncate keeps the first n weights.
func (c *weightCol) truncate(n int) {
	if !c.coded {
		c.plain = c.plain[:n]
		return
	}
	c.n = n
	if c.codes != nil {
		c.codes = c.codes[:n]
	}
}

// bytesPer is the memory a connection's weight takes.
func (c *weightCol) bytesPer() int {
	switch {
	case !c.coded:
		return 8
	case c.codes != nil:
		return 1
	}
	return 0
}

// encode writes the column as the plain float64 array it stands for (the checkpoint's bytes do
// not depend on the coding).
func (c *weightCol) encode(e *state.Encoder) {
	if !c.coded {
		e.F64s(c.plain)
		return
	}
	e.Int(c.n)
	e.Grow(8 * c.n)
	for i := range c.n {
		e.F64(c.at(i))
	}
}

// drCol is the column of delay-and-channel words of a connection store: a single word for all
// connections while they share one (one delay, as in most benchmark networks), one uint32 per
// connection otherwise.
type drCol struct {
	plain []uint32 // the words, when not constant
	one   bool     // constant: every one of the n words is word
	word  uint32
	n     int
	want  int // capacity reserved for a constant column
}

// newDRCol returns an empty column, constant unless plain is set.
func newDRCol(plain bool) drCol { return drCol{one: !plain} }

func (c *drCol) len() int {
	if c.one {
		return c.n
	}
	return len(c.plain)
}

// at returns word i.
func (c *drCol) at(i int) uint32 {
	if c.one {
		return c.word
	}
	return c.plain[i]
}

// add appends dr.
func (c *drCol) add(dr uint32) {
	switch {
	case !c.one:
		c.plain = append(c.plain, dr)
	case c.n == 0 || dr == c.word:
		c.word = dr
		c.n++
	default:
		c.decode()
		c.plain = append(c.plain, dr)
	}
}

// set replaces word i.
func (c *drCol) set(i int, dr uint32) {
	if c.one {
		if dr == c.word {
			return
		}
		c.decode()
	}
	c.plain[i] = dr
}

// decode turns a constant column into a plain one.
func (c *drCol) decode() {
	if !c.one {
		return
	}
	plain := make([]uint32, c.n, max(c.n+1, c.want))
	for i := range plain {
		plain[i] = c.word
	}
	*c = drCol{plain: plain}
}

// reserve makes room for n more words.
func (c *drCol) reserve(n int) {
	if c.one {
		c.want = max(c.want, c.n+n)
		return
	}
	c.plain = slices.Grow(c.plain, n)
}

// capLeft is the room left for words without growing.
func (c *drCol) capLeft() int {
	if c.one {
		return math.MaxInt
	}
	return cap(c.plain) - len(c.plain)
}

// truncate keeps the first n words.
func (c *drCol) truncate(n int) {
	if c.one {
		c.n = n
		return
	}
	c.plain = c.plain[:n]
}

// bytesPer is the memory a connection's word takes.
func (c *drCol) bytesPer() int {
	if c.one {
		return 0
	}
	return 4
}

// words returns every word, in storage order (a new array for a constant column).
func (c *drCol) words() []uint32 {
	if !c.one {
		return c.plain
	}
	out := make([]uint32, c.n)
	for i := range out {
		out[i] = c.word
	}
	return out
}

// encode writes the column as the plain uint32 array it stands for.
func (c *drCol) encode(e *state.Encoder) {
	if !c.one {
		e.U32s(c.plain)
		return
	}
	e.Int(c.n)
	e.Grow(4 * c.n)
	for range c.n {
		e.U32(c.word)
	}
}

// weightColOf returns a column holding the weights plain, coded like one built by add unless
// keepPlain is set.
func weightColOf(plain []float64, keepPlain bool) weightCol {
	if keepPlain {
		return weightCol{plain: plain}
	}
	c := newWeightCol(false)
	c.reserve(len(plain))
	for _, w := range plain {
		c.add(w)
		if !c.coded {
			return weightCol{plain: plain}
		}
	}
	return c
}

// drColOf returns a column holding the words plain, constant when they are all equal unless
// keepPlain is set.
func drColOf(plain []uint32, keepPlain bool) drCol {
	if keepPlain || slices.ContainsFunc(plain, func(dr uint32) bool { return dr != plain[0] }) {
		return drCol{plain: plain}
	}
	return drCol{one: true, word: plainFirst(plain), n: len(plain)}
}

func plainFirst(xs []uint32) uint32 {
	if len(xs) == 0 {
		return 0
	}
	return xs[0]
}

// channelsAre reports whether every connection of the store ends in channel ch.
func (c *connStore) channelsAre(ch models.Channel) bool {
	if c.dr.one {
		return c.dr.n == 0 || drChan(c.dr.word) == ch
	}
	return !slices.ContainsFunc(c.dr.plain, func(dr uint32) bool { return drChan(dr) != ch })
}
