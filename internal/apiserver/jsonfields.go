package apiserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/raykube/raykube/internal/apiserver/convert"
)

// knownFields returns the JSON object data, of message md, without the keys that name no field
// (by JSON or proto name), at every depth: in nested messages and in lists and maps of
// messages. It checks every value of a known field too, as protojson will read it, and names
// each bad one by its path, such as clusterSpec.workerGroupSpec[0].replicas. data must be well
// formed JSON: what is not is left as it is, for protojson to refuse.
func knownFields(data []byte, md protoreflect.MessageDescriptor,
	path *field.Path) ([]byte, field.ErrorList) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return data, nil // not an object after all: protojson will refuse it
	}
	var out bytes.Buffer
	out.WriteByte('{')
	var errs field.ErrorList
	seen := map[protoreflect.FieldNumber]bool{}
	for dec.More() {
		key, value, err := nextMember(dec)
		if err != nil {
			return data, errs // not well formed after all: protojson will refuse it
		}
		fd := md.Fields().ByJSONName(key)
		if fd == nil {
			fd = md.Fields().ByTextName(key)
		}
		if fd == nil {
			continue // an unknown field: ignored, as the API promises
		}
		p := childPath(path, fd.JSONName())
		if seen[fd.Number()] {
			errs = append(errs, field.Forbidden(p, "is given more than once"))
			continue
		}
		seen[fd.Number()] = true
		kept, ferrs := knownValue(md, fd, value, p)
		errs = append(errs, ferrs...)
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		out.WriteString(strconv.Quote(key)) // a field name: letters, digits and underscores
		out.WriteByte(':')
		out.Write(kept)
	}
	out.WriteByte('}')
	return out.Bytes(), errs
}

// nextMember reads the next key and value of an object.
func nextMember(dec *json.Decoder) (string, json.RawMessage, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", nil, err
	}
	key, _ := tok.(string)
	var value json.RawMessage
	if err := dec.Decode(&value); err != nil {
		return "", nil, err
	}
	return key, value, nil
}

// knownValue checks the value of field fd of message md, and returns it without unknown keys.
func knownValue(md protoreflect.MessageDescriptor, fd protoreflect.FieldDescriptor,
	value json.RawMessage, path *field.Path) (json.RawMessage, field.ErrorList) {
	switch {
	case isNull(value):
		return value, nil // protojson leaves a field given as null unset
	case fd.IsList():
		return knownList(md, fd, value, path)
	case fd.IsMap():
		return knownMap(md, fd, value, path)
	}
	return knownElement(md, fd, fd, value, path, func(raw []byte) []byte { return raw })
}

// knownList checks each item of a list field.
func knownList(md protoreflect.MessageDescriptor, fd protoreflect.FieldDescriptor,
	value json.RawMessage, path *field.Path) (json.RawMessage, field.ErrorList) {
	var items []json.RawMessage
	if value[0] != '[' || json.Unmarshal(value, &items) != nil {
		return value, field.ErrorList{field.Invalid(path, badValue(value), "must be a JSON array")}
	}
	var errs field.ErrorList
	out := make([]json.RawMessage, 0, len(items))
	for i, item := range items {
		kept, ierrs := knownElement(md, fd, fd, item, path.Index(i),
			func(raw []byte) []byte { return bytes.Join([][]byte{{'['}, raw, {']'}}, nil) })
		errs = append(errs, ierrs...)
		out = append(out, kept)
	}
	return marshalRaw(out), errs
}

// knownMap checks each value of a map field, and that no key is given twice.
func knownMap(md protoreflect.MessageDescriptor, fd protoreflect.FieldDescriptor,
	value json.RawMessage, path *field.Path) (json.RawMessage, field.ErrorList) {
	dec := json.NewDecoder(bytes.NewReader(value))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return value, field.ErrorList{field.Invalid(path, badValue(value),
			"must be a JSON object")}
	}
	var errs field.ErrorList
	var out bytes.Buffer
	out.WriteByte('{')
	seen := map[string]bool{}
	for dec.More() {
		key, item, err := nextMember(dec)
		if err != nil {
			return value, errs // not well formed after all: protojson will refuse it
		}
		if seen[key] {
			errs = append(errs, field.Forbidden(path.Key(key), "is given more than once"))
			continue
		}
		seen[key] = true
		quoted, _ := json.Marshal(key) // a string always marshals
		kept, ierrs := knownElement(md, fd, fd.MapValue(), item, path.Key(key),
			func(raw []byte) []byte {
				return bytes.Join([][]byte{{'{'}, quoted, {':'}, raw, {'}'}}, nil)
			})
		errs = append(errs, ierrs...)
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		out.Write(quoted)
		out.WriteByte(':')
		out.Write(kept)
	}
	out.WriteByte('}')
	return out.Bytes(), errs
}

// knownElement checks one value of field fd: the field's own, an item of its list or a value
// of its map, which vd describes. A message is checked field by field; anything else is read
// by protojson as the only value of a message md, which wrap makes the value into, in JSON.
func knownElement(md protoreflect.MessageDescriptor, fd, vd protoreflect.FieldDescriptor,
	raw json.RawMessage, path *field.Path, wrap func([]byte) []byte) (json.RawMessage,
	field.ErrorList) {
	if m := vd.Message(); m != nil && !isWellKnown(m) && raw[0] == '{' {
		return knownFields(raw, m, path)
	}
	probe := dynamicpb.NewMessage(md)
	in := append([]byte(`{"`+fd.JSONName()+`":`), wrap(raw)...)
	err := protojson.Unmarshal(append(in, '}'), probe)
	if ed := vd.Enum(); ed != nil {
		return raw, checkEnum(ed, raw, onlyValue(probe, fd), err, path)
	}
	if err != nil {
		return raw, field.ErrorList{field.Invalid(path, badValue(raw), expected(vd))}
	}
	return raw, nil
}

// checkEnum refuses a name or number that is not a value of enum ed, listing its values. err
// is protojson's error of reading raw, and value what it read.
func checkEnum(ed protoreflect.EnumDescriptor, raw json.RawMessage, value protoreflect.Value,
	err error, path *field.Path) field.ErrorList {
	name, isName := badValue(raw).(string)
	switch {
	case isName:
		if ed.Values().ByName(protoreflect.Name(name)) == nil {
			return field.ErrorList{convert.UnsupportedEnum(path, name, ed)}
		}
	case err != nil:
		return field.ErrorList{convert.UnsupportedEnum(path, badValue(raw), ed)}
	case ed.Values().ByNumber(value.Enum()) == nil:
		return field.ErrorList{convert.UnsupportedEnum(path, int32(value.Enum()), ed)}
	}
	return nil
}

// onlyValue is the value of field fd of probe: its own, or the only item of its list or map.
func onlyValue(probe *dynamicpb.Message, fd protoreflect.FieldDescriptor) protoreflect.Value {
	v := probe.Get(fd)
	switch {
	case fd.IsList() && v.List().Len() > 0:
		return v.List().Get(0)
	case fd.IsMap():
		v.Map().Range(func(_ protoreflect.MapKey, item protoreflect.Value) bool {
			v = item
			return false
		})
	}
	return v
}

// expected says what JSON a value of the kind vd describes must be.
func expected(vd protoreflect.FieldDescriptor) string {
	switch vd.Kind() {
	case protoreflect.StringKind:
		return "must be a string"
	case protoreflect.BoolKind:
		return "must be true or false"
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return fmt.Sprintf("must be a whole number from %d to %d", math.MinInt32, math.MaxInt32)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return fmt.Sprintf("must be a whole number from 0 to %d", uint32(math.MaxUint32))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return fmt.Sprintf("must be a whole number from %d to %d", math.MinInt64, math.MaxInt64)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return fmt.Sprintf("must be a whole number from 0 to %d", uint64(math.MaxUint64))
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return "must be a number"
	case protoreflect.BytesKind:
		return "must be a base64 string"
	case protoreflect.MessageKind:
		if vd.Message().FullName() == "google.protobuf.Timestamp" {
			return "must be a time in RFC 3339 format, such as 2026-01-02T15:04:05Z"
		}
		return "must be a JSON object"
	}
	return "is not a value of this field"
}

// badValue is a value for a message: a JSON string as its text, anything else as its JSON.
func badValue(raw []byte) any {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return json.RawMessage(raw)
}

func isNull(raw json.RawMessage) bool {
	return string(raw) == "null"
}

// isWellKnown tells a message with a JSON form of its own, such as a Timestamp's string.
func isWellKnown(md protoreflect.MessageDescriptor) bool {
	return md.ParentFile().Package() == "google.protobuf"
}

func childPath(path *field.Path, name string) *field.Path {
	if path == nil {
		return field.NewPath(name)
	}
	return path.Child(name)
}

// marshalRaw writes values as a JSON array.
func marshalRaw(values []json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(v)
	}
	b.WriteByte(']')
	return b.Bytes()
}
