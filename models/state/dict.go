package state

import (
	"fmt"
	"slices"
)

// Value tags of a dictionary entry.
const (
	tagFloat byte = iota + 1
	tagInt
	tagBool
	tagString
	tagFloats
	tagInts
	tagStrings
	tagDict
	tagList
	tagUints
	tagNil
)

// Dict writes a status dictionary exactly: its keys in sorted order, each value with a type tag.
// Values are float64, int64 (int is written as int64), bool, string, []float64, []int64,
// []uint64, []string, []any and nested map[string]any of these; anything else is an error.
func (e *Encoder) Dict(d map[string]any) error {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.Int(len(keys))
	for _, k := range keys {
		e.String(k)
		if err := e.value(d[k]); err != nil {
			return fmt.Errorf("key %q: %w", k, err)
		}
	}
	return nil
}

func (e *Encoder) tag(t byte) { e.buf = append(e.buf, t) }

func (e *Encoder) value(v any) error {
	switch x := v.(type) {
	case nil:
		e.tag(tagNil)
	case float64:
		e.tag(tagFloat)
		e.F64(x)
	case int64:
		e.tag(tagInt)
		e.I64(x)
	case int:
		e.tag(tagInt)
		e.I64(int64(x))
	case bool:
		e.tag(tagBool)
		e.Bool(x)
	case string:
		e.tag(tagString)
		e.String(x)
	case []float64:
		e.tag(tagFloats)
		e.F64s(x)
	case []int64:
		e.tag(tagInts)
		e.I64s(x)
	case []uint64:
		e.tag(tagUints)
		e.U64s(x)
	case []string:
		e.tag(tagStrings)
		e.Strings(x)
	case map[string]any:
		e.tag(tagDict)
		return e.Dict(x)
	case []any:
		e.tag(tagList)
		e.Int(len(x))
		for i, y := range x {
			if err := e.value(y); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		}
	default:
		return fmt.Errorf("state: cannot encode a value of type %T", v)
	}
	return nil
}

// Dict reads a dictionary written by Encoder.Dict.
func (d *Decoder) Dict() map[string]any { return d.dict(0) }

func (d *Decoder) dict(depth int) map[string]any {
	n := d.length(9) // a key takes at least 8 bytes of length and a tag
	out := make(map[string]any, n)
	for range n {
		k := d.String()
		v := d.value(depth + 1)
		if d.err != nil {
			return nil
		}
		out[k] = v
	}
	return out
}

// maxDepth bounds the nesting of decoded lists and dictionaries.
const maxDepth = 32

func (d *Decoder) value(depth int) any {
	if depth > maxDepth {
		d.Fail("values nested deeper than %d", maxDepth)
		return nil
	}
	t := d.take(1)
	if t == nil {
		return nil
	}
	switch t[0] {
	case tagNil:
		return nil
	case tagFloat:
		return d.F64()
	case tagInt:
		return d.I64()
	case tagBool:
		return d.Bool()
	case tagString:
		return d.String()
	case tagFloats:
		return d.F64s()
	case tagInts:
		return d.I64s()
	case tagUints:
		return d.U64s()
	case tagStrings:
		return d.Strings()
	case tagDict:
		return d.dict(depth + 1)
	case tagList:
		n := d.length(1)
		out := make([]any, n)
		for i := range out {
			out[i] = d.value(depth + 1)
		}
		return out
	}
	d.Fail("unknown value tag %d", t[0])
	return nil
}
