package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/raykube/raykube/internal/apiserver/convert"
)

// marshaler is the JSON of the HTTP API: lowerCamelCase names (proto names are read too), enums
// written as numbers and read as numbers or names, every field present in answers (so that
// DEV, enum 0, shows), and unknown input fields ignored.
var marshaler = &jsonMarshaler{JSONPb: &runtime.JSONPb{
	MarshalOptions: protojson.MarshalOptions{UseEnumNumbers: true, EmitUnpopulated: true},
}}

// jsonMarshaler writes messages as its JSONPb does, and reads a request body strictly except
// for unknown fields. protojson's own way to ignore unknown fields, DiscardUnknown, also reads
// an enum name it does not know as the enum's default, so that "environment": "PROD" would
// quietly become DEV. Instead, the keys that name no field are dropped first (knownFields), and
// what remains is read strictly: every error left is a bad value of a known field, answered
// with a message naming the field.
type jsonMarshaler struct {
	*runtime.JSONPb
}

// NewDecoder returns a decoder of one request body. An empty body decodes to io.EOF, which the
// gateway takes as no body: the handler then answers that the message is required.
func (m *jsonMarshaler) NewDecoder(r io.Reader) runtime.Decoder {
	return runtime.DecoderFunc(func(v any) error {
		data, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("reading the request body: %w", err)
		}
		if len(bytes.TrimSpace(data)) == 0 {
			return io.EOF
		}
		return m.Unmarshal(data, v)
	})
}

// Unmarshal reads data into v: a message, or a pointer to a message pointer (the body field of
// a request), which it sets only when data is read without error. Anything else is read as
// JSONPb reads it.
func (m *jsonMarshaler) Unmarshal(data []byte, v any) error {
	msg, set := messageOf(v)
	if msg == nil {
		return m.JSONPb.Unmarshal(data, v)
	}
	if err := unmarshalObject(data, msg); err != nil {
		return err
	}
	set()
	return nil
}

// messageOf returns the message v stands for, and a function that stores it in v.
func messageOf(v any) (proto.Message, func()) {
	if msg, ok := v.(proto.Message); ok {
		return msg, func() {}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Pointer {
		return nil, nil
	}
	ptr := rv.Elem()
	msg, ok := reflect.New(ptr.Type().Elem()).Interface().(proto.Message)
	if !ok {
		return nil, nil
	}
	return msg, func() { ptr.Set(reflect.ValueOf(msg)) }
}

// unmarshalObject reads a JSON object into msg, ignoring the keys that name no field.
func unmarshalObject(data []byte, msg proto.Message) error {
	if err := checkObject(data); err != nil {
		return err
	}
	md := msg.ProtoReflect().Descriptor()
	known, errs := knownFields(bytes.TrimSpace(data), md, nil)
	if len(errs) > 0 {
		return &convert.Invalid{What: describe(md), Errs: errs}
	}
	if err := protojson.Unmarshal(known, msg); err != nil {
		// knownFields checked every value as protojson reads it, so this is not expected.
		return fmt.Errorf("invalid %s: %s", describe(md),
			convert.Shorten(strings.TrimPrefix(err.Error(), "proto: ")))
	}
	return nil
}

// checkObject refuses data that is not one JSON object, saying where JSON that is not well
// formed breaks, or what the value is instead.
func checkObject(data []byte) error {
	const want = "the request body must be a JSON object"
	var syntax *json.SyntaxError
	switch err := json.Unmarshal(data, new(json.RawMessage)); {
	case errors.As(err, &syntax):
		line, column := position(data, syntax)
		return fmt.Errorf("%s: %w, at line %d, column %d", want, err, line, column)
	case err != nil:
		return fmt.Errorf("%s: %w", want, err)
	}
	switch trimmed := bytes.TrimSpace(data); trimmed[0] {
	case '{':
		return nil
	case '[':
		return errors.New(want + ", not an array")
	case '"':
		return errors.New(want + ", not a string")
	case 'n':
		return errors.New(want + ", not null")
	case 't', 'f':
		return errors.New(want + ", not a boolean")
	default:
		return errors.New(want + ", not a number")
	}
}

// position is the line and column, from 1, where JSON that is not well formed breaks: the byte
// that broke it, or the end of the data when it ends too soon.
func position(data []byte, err *json.SyntaxError) (line, column int) {
	at := int(err.Offset) - 1 // the offset is past the byte that broke the JSON
	if strings.HasPrefix(err.Error(), "unexpected end") || at < 0 || at > len(data) {
		at = len(data)
	}
	before := data[:at]
	line = bytes.Count(before, []byte("\n")) + 1
	column = at - bytes.LastIndexByte(before, '\n')
	return line, column
}

// describe names a message in words, as messages name it: "cluster", "compute template".
func describe(md protoreflect.MessageDescriptor) string {
	var b strings.Builder
	for i, r := range string(md.Name()) {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte(' ')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
