package serve

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// appendJSON appends v as JSON in the protocol's encoding: floats with a point or an exponent,
// NaN/Infinity as Python reads them, lists of floats and integers as typed arrays.
func appendJSON(buf []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...)
	case bool:
		return strconv.AppendBool(buf, x)
	case string:
		return appendString(buf, x)
	case int:
		return strconv.AppendInt(buf, int64(x), 10)
	case int32:
		return strconv.AppendInt(buf, int64(x), 10)
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case uint32:
		return strconv.AppendUint(buf, uint64(x), 10)
	case uint64:
		return strconv.AppendUint(buf, x, 10)
	case float32:
		return appendFloat(buf, float64(x))
	case float64:
		return appendFloat(buf, x)
	case []float64:
		return appendArray(buf, "float64", len(x), func(i int) uint64 { return math.Float64bits(x[i]) })
	case []int64:
		return appendArray(buf, "int64", len(x), func(i int) uint64 { return uint64(x[i]) })
	case []int:
		return appendArray(buf, "int64", len(x), func(i int) uint64 { return uint64(int64(x[i])) })
	case []uint64:
		return appendArray(buf, "int64", len(x), func(i int) uint64 { return x[i] })
	case []string:
		return appendList(buf, len(x), func(b []byte, i int) []byte { return appendString(b, x[i]) })
	case []bool:
		return appendList(buf, len(x), func(b []byte, i int) []byte { return strconv.AppendBool(b, x[i]) })
	case []any:
		return appendList(buf, len(x), func(b []byte, i int) []byte { return appendJSON(b, x[i]) })
	case map[string]any:
		keys := make([]string, 0, len(x))
		for key := range x {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		buf = append(buf, '{')
		for i, key := range keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(appendString(buf, key), ':')
			buf = appendJSON(buf, x[key])
		}
		return append(buf, '}')
	case fmt.Stringer:
		return appendString(buf, x.String())
	}
	return appendString(buf, fmt.Sprint(v))
}

func appendFloat(buf []byte, x float64) []byte {
	switch {
	case math.IsNaN(x):
		return append(buf, "NaN"...)
	case math.IsInf(x, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(x, -1):
		return append(buf, "-Infinity"...)
	}
	start := len(buf)
	buf = strconv.AppendFloat(buf, x, 'g', -1, 64)
	for _, c := range buf[start:] {
		if c == '.' || c == 'e' {
			return buf
		}
	}
	return append(buf, ".0"...)
}

// appendArray writes n little-endian 8-byte values as {"$array": dtype, "data": base64}.
func appendArray(buf []byte, dtype string, n int, bits func(int) uint64) []byte {
	raw := make([]byte, 8*n)
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint64(raw[8*i:], bits(i))
	}
	buf = append(buf, `{"$array":"`...)
	buf = append(buf, dtype...)
	buf = append(buf, `","data":"`...)
	buf = base64.StdEncoding.AppendEncode(buf, raw)
	return append(buf, '"', '}')
}

func appendList(buf []byte, n int, el func([]byte, int) []byte) []byte {
	buf = append(buf, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = el(buf, i)
	}
	return append(buf, ']')
}

// appendString writes s as a JSON string (plain printable ASCII directly, anything else through
// encoding/json).
func appendString(buf []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		buf = append(buf, '"')
		buf = append(buf, s...)
		return append(buf, '"')
	}
	b, err := json.Marshal(s)
	if err != nil {
		return strconv.AppendQuote(buf, s)
	}
	return append(buf, b...)
}
