package transport

import (
	"bytes"
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"
)

// MarshalJSON writes the Snapshot as a status page or a log line wants it:
// fields in their declared order, durations as Go duration strings
// ("1.5s", not nanoseconds), states by name ("open"), times in RFC 3339
// and a zero time as null, and a non-finite rate or budget (+Inf: no
// limit) as the string "+Inf", which encoding/json cannot write as a
// number (json.Marshal of the bare values fails on it).
func (s Snapshot) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	err := writeJSON(&b, reflect.ValueOf(s))
	return b.Bytes(), err
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	timeType     = reflect.TypeFor[time.Time]()
	textType     = reflect.TypeFor[encoding.TextMarshaler]()
)

// writeJSON writes v (see Snapshot.MarshalJSON). Structs are walked
// field by field rather than handed to encoding/json, so that the
// durations and floats inside them are written the same way.
func writeJSON(b *bytes.Buffer, v reflect.Value) error {
	t := v.Type()
	switch {
	case t == durationType:
		return encode(b, time.Duration(v.Int()).String())
	case t == timeType:
		if tm := v.Interface().(time.Time); tm.IsZero() {
			b.WriteString("null")
			return nil
		}
		return encode(b, v.Interface())
	case t.Implements(textType) && t.Kind() != reflect.Struct:
		return encode(b, v.Interface())
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsInf(f, 0) || math.IsNaN(f) {
			return encode(b, formatNonFinite(f))
		}
		return encode(b, v.Interface())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		return writeJSON(b, v.Elem())
	case reflect.Struct:
		b.WriteByte('{')
		first := true
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			if err := encode(b, f.Name); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := writeJSON(b, v.Field(i)); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("null")
			return nil
		}
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, v.Index(i)); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case reflect.Map:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encode(b, k.Interface()); err != nil { // string keys: the only ones in a Snapshot
				return err
			}
			b.WriteByte(':')
			if err := writeJSON(b, v.MapIndex(k)); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	}
	return encode(b, v.Interface())
}

// encode writes x as encoding/json does.
func encode(b *bytes.Buffer, x any) error {
	j, err := json.Marshal(x)
	b.Write(j)
	return err
}

func formatNonFinite(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return "NaN"
}
