package kernel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
)

// The wire codec carries status values between ranks (GatherStatus, GatherConnections) without
// losing their Go types: an int64 stays an int64, a NaN stays a NaN, a []float64 stays a
// []float64. Integers of other widths become int64 (unsigned: uint64); a value of any other type
// becomes its fmt.Sprint text, marked so that it is still formatted as text (textValue).

// Value tags of the wire codec.
const (
	tagNil byte = iota
	tagFalse
	tagTrue
	tagString
	tagInt
	tagUint
	tagFloat
	tagFloats
	tagInts
	tagUints
	tagStrings
	tagBools
	tagList
	tagDict
	tagText
	tagStringTable // a []string as its distinct strings and one index per element
)

// textValue is a value the codec carried as text (it formats as a quoted string, as a
// fmt.Stringer does).
type textValue string

func (t textValue) String() string { return string(t) }

var errShortWire = errors.New("truncated value")

// appendValue appends the encoding of v.
func appendValue(buf []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, tagNil)
	case bool:
		if x {
			return append(buf, tagTrue)
		}
		return append(buf, tagFalse)
	case string:
		return appendStr(append(buf, tagString), x)
	case int:
		return binary.AppendVarint(append(buf, tagInt), int64(x))
	case int32:
		return binary.AppendVarint(append(buf, tagInt), int64(x))
	case int64:
		return binary.AppendVarint(append(buf, tagInt), x)
	case uint32:
		return binary.AppendUvarint(append(buf, tagUint), uint64(x))
	case uint64:
		return binary.AppendUvarint(append(buf, tagUint), x)
	case float32:
		return binary.LittleEndian.AppendUint64(append(buf, tagFloat), math.Float64bits(float64(x)))
	case float64:
		return binary.LittleEndian.AppendUint64(append(buf, tagFloat), math.Float64bits(x))
	case []float64:
		buf = binary.AppendUvarint(append(buf, tagFloats), uint64(len(x)))
		for _, f := range x {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(f))
		}
		return buf
	case []int64:
		buf = binary.AppendUvarint(append(buf, tagInts), uint64(len(x)))
		for _, i := range x {
			buf = binary.AppendVarint(buf, i)
		}
		return buf
	case []int:
		buf = binary.AppendUvarint(append(buf, tagInts), uint64(len(x)))
		for _, i := range x {
			buf = binary.AppendVarint(buf, int64(i))
		}
		return buf
	case []uint64:
		buf = binary.AppendUvarint(append(buf, tagUints), uint64(len(x)))
		for _, u := range x {
			buf = binary.AppendUvarint(buf, u)
		}
		return buf
	case []string:
		if len(x) > 16 {
			return appendStringTable(buf, x)
		}
		buf = binary.AppendUvarint(append(buf, tagStrings), uint64(len(x)))
		for _, s := range x {
			buf = appendStr(buf, s)
		}
		return buf
	case []bool:
		buf = binary.AppendUvarint(append(buf, tagBools), uint64(len(x)))
		for _, b := range x {
			buf = append(buf, boolByte(b))
		}
		return buf
	case []any:
		buf = binary.AppendUvarint(append(buf, tagList), uint64(len(x)))
		for _, e := range x {
			buf = appendValue(buf, e)
		}
		return buf
	case map[string]any:
		keys := make([]string, 0, len(x))
		for key := range x {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		buf = binary.AppendUvarint(append(buf, tagDict), uint64(len(keys)))
		for _, key := range keys {
			buf = appendValue(appendStr(buf, key), x[key])
		}
		return buf
	}
	return appendStr(append(buf, tagText), fmt.Sprint(v))
}

// appendStringTable writes a long []string (a column of synapse model names, say) as its
// distinct strings, then one index per element.
func appendStringTable(buf []byte, x []string) []byte {
	index := map[string]uint64{}
	var table []string
	idx := make([]uint64, len(x))
	for i, s := range x {
		j, ok := index[s]
		if !ok {
			j = uint64(len(table))
			index[s] = j
			table = append(table, s)
		}
		idx[i] = j
	}
	buf = binary.AppendUvarint(append(buf, tagStringTable), uint64(len(table)))
	for _, s := range table {
		buf = appendStr(buf, s)
	}
	buf = binary.AppendUvarint(buf, uint64(len(x)))
	for _, j := range idx {
		buf = binary.AppendUvarint(buf, j)
	}
	return buf
}

func (r *wireReader) stringTable() ([]string, error) {
	table, err := readSlice(r, 1, (*wireReader).str)
	if err != nil {
		return nil, err
	}
	idx, err := readSlice(r, 1, (*wireReader).uvarint)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(idx))
	for i, j := range idx {
		if j >= uint64(len(table)) {
			return nil, errShortWire
		}
		out[i] = table[j]
	}
	return out, nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func appendStr(buf []byte, s string) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(s))), s...)
}

// wireReader decodes values appended by appendValue.
type wireReader struct{ buf []byte }

func (r *wireReader) uvarint() (uint64, error) {
	x, n := binary.Uvarint(r.buf)
	if n <= 0 {
		return 0, errShortWire
	}
	r.buf = r.buf[n:]
	return x, nil
}

func (r *wireReader) varint() (int64, error) {
	x, n := binary.Varint(r.buf)
	if n <= 0 {
		return 0, errShortWire
	}
	r.buf = r.buf[n:]
	return x, nil
}

// count reads a length and checks that at least min bytes per element remain.
func (r *wireReader) count(min int) (int, error) {
	n, err := r.uvarint()
	if err != nil || n > uint64(len(r.buf)/min+1) {
		return 0, errShortWire
	}
	return int(n), nil
}

func (r *wireReader) float() (float64, error) {
	if len(r.buf) < 8 {
		return 0, errShortWire
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(r.buf))
	r.buf = r.buf[8:]
	return f, nil
}

func (r *wireReader) str() (string, error) {
	n, err := r.uvarint()
	if err != nil || n > uint64(len(r.buf)) {
		return "", errShortWire
	}
	s := string(r.buf[:n])
	r.buf = r.buf[n:]
	return s, nil
}

func (r *wireReader) byte() (byte, error) {
	if len(r.buf) == 0 {
		return 0, errShortWire
	}
	b := r.buf[0]
	r.buf = r.buf[1:]
	return b, nil
}

// value decodes one value.
func (r *wireReader) value() (any, error) {
	tag, err := r.byte()
	if err != nil {
		return nil, err
	}
	switch tag {
	case tagNil:
		return nil, nil
	case tagFalse, tagTrue:
		return tag == tagTrue, nil
	case tagString:
		return r.str()
	case tagText:
		s, err := r.str()
		return textValue(s), err
	case tagInt:
		return r.varint()
	case tagUint:
		return r.uvarint()
	case tagFloat:
		return r.float()
	case tagFloats:
		return readSlice(r, 8, (*wireReader).float)
	case tagInts:
		return readSlice(r, 1, (*wireReader).varint)
	case tagUints:
		return readSlice(r, 1, (*wireReader).uvarint)
	case tagStrings:
		return readSlice(r, 1, (*wireReader).str)
	case tagStringTable:
		return r.stringTable()
	case tagBools:
		return readSlice(r, 1, func(r *wireReader) (bool, error) { b, err := r.byte(); return b == 1, err })
	case tagList:
		return readSlice(r, 1, (*wireReader).value)
	case tagDict:
		n, err := r.count(2)
		if err != nil {
			return nil, err
		}
		d := make(map[string]any, n)
		for i := 0; i < n; i++ {
			key, err := r.str()
			if err != nil {
				return nil, err
			}
			if d[key], err = r.value(); err != nil {
				return nil, err
			}
		}
		return d, nil
	}
	return nil, fmt.Errorf("unknown value tag %d", tag)
}

// readSlice reads a length-prefixed list of elements of at least min bytes each.
func readSlice[T any](r *wireReader, min int, el func(*wireReader) (T, error)) ([]T, error) {
	n, err := r.count(min)
	if err != nil {
		return nil, err
	}
	out := make([]T, n)
	for i := range out {
		if out[i], err = el(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}
