// Package state owns the exact binary form in which every piece of simulation state is written and
// read back: neuron blocks, synapse stores, device instances and the kernel's own arrays. A model
// writes its state with an Encoder and reads it with a Decoder; the checkpoint composes the pieces.
//
// The encoding is little-endian and self-delimiting per value: a float64 is its 8 IEEE-754 bytes
// (so every value, NaN payloads and signed zeros included, reads back bit for bit), an integer its 8
// bytes, a slice its length (8 bytes) followed by its elements, a string its length and bytes.
// Decoding checks every length against what remains, so a truncated or corrupted piece gives an
// error, never a panic or a huge allocation.
package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// littleEndian is set on machines whose memory layout of numbers is the encoding's own: their
// slices are then copied in one piece instead of element by element (the bytes are the same).
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// Encoder appends values to a byte buffer.
type Encoder struct {
	buf []byte
}

// Bytes returns the encoded bytes.
func (e *Encoder) Bytes() []byte { return e.buf }

// Reset empties the buffer, keeping its capacity.
func (e *Encoder) Reset() { e.buf = e.buf[:0] }

// U64 writes an unsigned integer.
func (e *Encoder) U64(v uint64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, v) }

// I64 writes a signed integer.
func (e *Encoder) I64(v int64) { e.U64(uint64(v)) }

// Int writes an int.
func (e *Encoder) Int(v int) { e.U64(uint64(int64(v))) }

// F64 writes a float64 bit for bit.
func (e *Encoder) F64(v float64) { e.U64(math.Float64bits(v)) }

// Bool writes a boolean.
func (e *Encoder) Bool(v bool) {
	if v {
		e.U64(1)
	} else {
		e.U64(0)
	}
}

// String writes a string.
func (e *Encoder) String(s string) {
	e.Int(len(s))
	e.buf = append(e.buf, s...)
}

// Grow makes room for n more bytes without reallocating.
func (e *Encoder) Grow(n int) {
	if cap(e.buf)-len(e.buf) < n {
		nb := make([]byte, len(e.buf), len(e.buf)+n)
		copy(nb, e.buf)
		e.buf = nb
	}
}

// BeginRaw starts a nested piece written in place: what is written until EndRaw reads back as one
// Decoder.Raw value.
func (e *Encoder) BeginRaw() int {
	e.U64(0)
	return len(e.buf)
}

// EndRaw ends the piece begun at mark, writing its length.
func (e *Encoder) EndRaw(mark int) {
	binary.LittleEndian.PutUint64(e.buf[mark-8:], uint64(len(e.buf)-mark))
}

// Raw writes a byte slice with its length.
func (e *Encoder) Raw(b []byte) {
	e.Int(len(b))
	e.buf = append(e.buf, b...)
}

// F64s writes a float64 slice.
func (e *Encoder) F64s(xs []float64) {
	e.Int(len(xs))
	if littleEndian && len(xs) > 0 {
		e.buf = append(e.buf, unsafe.Slice((*byte)(unsafe.Pointer(&xs[0])), 8*len(xs))...)
		return
	}
	for _, x := range xs {
		e.F64(x)
	}
}

// I64s writes an int64 slice.
func (e *Encoder) I64s(xs []int64) {
	e.Int(len(xs))
	for _, x := range xs {
		e.I64(x)
	}
}

// U64s writes a uint64 slice.
func (e *Encoder) U64s(xs []uint64) {
	e.Int(len(xs))
	for _, x := range xs {
		e.U64(x)
	}
}

// U32 writes a uint32 (4 bytes): an element of a uint32 slice written one at a time after its
// length (Int), byte for byte what U32s writes.
func (e *Encoder) U32(v uint32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, v) }

// U32s writes a uint32 slice (4 bytes per element).
func (e *Encoder) U32s(xs []uint32) {
	e.Int(len(xs))
	if littleEndian && len(xs) > 0 {
		e.buf = append(e.buf, unsafe.Slice((*byte)(unsafe.Pointer(&xs[0])), 4*len(xs))...)
		return
	}
	for _, x := range xs {
		e.buf = binary.LittleEndian.AppendUint32(e.buf, x)
	}
}

// I32s writes an int32 slice (4 bytes per element).
func (e *Encoder) I32s(xs []int32) {
	e.Int(len(xs))
	for _, x := range xs {
		e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(x))
	}
}

// Ints writes an int slice.
func (e *Encoder) Ints(xs []int) {
	e.Int(len(xs))
	for _, x := range xs {
		e.Int(x)
	}
}

// Bools writes a bool slice (one byte per element).
func (e *Encoder) Bools(xs []bool) {
	e.Int(len(xs))
	for _, x := range xs {
		b := byte(0)
		if x {
			b = 1
		}
		e.buf = append(e.buf, b)
	}
}

// Strings writes a string slice.
func (e *Encoder) Strings(xs []string) {
	e.Int(len(xs))
	for _, x := range xs {
		e.String(x)
	}
}

// ErrCorrupt is wrapped by every decoding error.
var ErrCorrupt = errors.New("state: corrupt or truncated")

// Decoder reads values written by an Encoder. The first error sticks: later reads return zero
// values, and Err reports it, so a reader can decode a whole piece and check once.
type Decoder struct {
	buf []byte
	off int
	err error
	// What names the piece in error messages ("iaf_psc_alpha block", ...).
	What string
}

// NewDecoder returns a Decoder over b.
func NewDecoder(b []byte, what string) *Decoder { return &Decoder{buf: b, What: what} }

// Err returns the first error.
func (d *Decoder) Err() error { return d.err }

// Remaining is the number of unread bytes.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

// Fail records an error of the caller's (a value that decodes but is not valid).
func (d *Decoder) Fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%s: %w: %s", d.What, ErrCorrupt, fmt.Sprintf(format, args...))
	}
}

// Done fails unless every byte was read.
func (d *Decoder) Done() error {
	if d.err == nil && d.off != len(d.buf) {
		d.Fail("%d bytes left over", len(d.buf)-d.off)
	}
	return d.err
}

func (d *Decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.buf)-d.off {
		d.Fail("need %d bytes at offset %d, %d left", n, d.off, len(d.buf)-d.off)
		return nil
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b
}

// U64 reads an unsigned integer.
func (d *Decoder) U64() uint64 {
	b := d.take(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// I64 reads a signed integer.
func (d *Decoder) I64() int64 { return int64(d.U64()) }

// Int reads an int.
func (d *Decoder) Int() int { return int(d.I64()) }

// F64 reads a float64.
func (d *Decoder) F64() float64 { return math.Float64frombits(d.U64()) }

// Bool reads a boolean.
func (d *Decoder) Bool() bool {
	v := d.U64()
	if v > 1 {
		d.Fail("boolean %d", v)
	}
	return v == 1
}

// length reads a slice length whose elements take size bytes each.
func (d *Decoder) length(size int) int {
	n := d.I64()
	if d.err != nil {
		return 0
	}
	if n < 0 || n > int64(d.Remaining()/size) {
		d.Fail("length %d at offset %d exceeds the %d bytes left", n, d.off-8, d.Remaining())
		return 0
	}
	return int(n)
}

// String reads a string.
func (d *Decoder) String() string { return string(d.take(d.length(1))) }

// Raw reads a byte slice (a copy).
func (d *Decoder) Raw() []byte { return append([]byte(nil), d.take(d.length(1))...) }

// F64s reads a float64 slice.
func (d *Decoder) F64s() []float64 {
	n := d.length(8)
	out := make([]float64, n)
	if littleEndian && n > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), 8*n), d.take(8*n))
		return out
	}
	for i := range out {
		out[i] = d.F64()
	}
	return out
}

// I64s reads an int64 slice.
func (d *Decoder) I64s() []int64 {
	n := d.length(8)
	out := make([]int64, n)
	for i := range out {
		out[i] = d.I64()
	}
	return out
}

// U64s reads a uint64 slice.
func (d *Decoder) U64s() []uint64 {
	n := d.length(8)
	out := make([]uint64, n)
	for i := range out {
		out[i] = d.U64()
	}
	return out
}

// U32s reads a uint32 slice.
func (d *Decoder) U32s() []uint32 {
	n := d.length(4)
	b := d.take(4 * n)
	out := make([]uint32, n)
	if littleEndian && n > 0 && b != nil {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), 4*n), b)
		return out
	}
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}

// I32s reads an int32 slice.
func (d *Decoder) I32s() []int32 {
	n := d.length(4)
	b := d.take(4 * n)
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// Ints reads an int slice.
func (d *Decoder) Ints() []int {
	n := d.length(8)
	out := make([]int, n)
	for i := range out {
		out[i] = d.Int()
	}
	return out
}

// Bools reads a bool slice.
func (d *Decoder) Bools() []bool {
	n := d.length(1)
	b := d.take(n)
	out := make([]bool, n)
	for i := range out {
		if b[i] > 1 {
			d.Fail("boolean %d", b[i])
		}
		out[i] = b[i] == 1
	}
	return out
}

// Strings reads a string slice.
func (d *Decoder) Strings() []string {
	n := d.length(8)
	out := make([]string, n)
	for i := range out {
		out[i] = d.String()
	}
	return out
}

// LenIs fails unless a slice read has the expected length (state of n neurons, say).
func (d *Decoder) LenIs(what string, got, want int) {
	if got != want {
		d.Fail("%s has %d elements, expected %d", what, got, want)
	}
}
