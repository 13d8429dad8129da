package convert

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// maxQuoted is how many characters of a value a message quotes: a message stays readable, and
// an answer small, whatever size of value the user sent.
const maxQuoted = 64

// maxPathLength bounds a field path, which holds map keys of the user's choosing.
const maxPathLength = 4 * maxQuoted

// Shorten returns s whole when it has at most 64 characters; else its first 64 characters, an
// ellipsis and its length, such as "aaaa… (500000 characters)".
func Shorten(s string) string {
	prefix, n, cut := cut(s, maxQuoted)
	if !cut {
		return s
	}
	return fmt.Sprintf("%s… (%d characters)", prefix, n)
}

// Quote quotes s as Go's %q does, at most its first 64 characters: a longer s is quoted as its
// first 64 characters, an ellipsis and its length, such as "aaaa…" (500000 characters). Every
// message that repeats a value of the user's quotes it with Quote.
func Quote(s string) string {
	prefix, n, cut := cut(s, maxQuoted)
	if !cut {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s (%d characters)", strconv.Quote(prefix+"…"), n)
}

// cut returns the first limit characters of s, the number of characters of s, and whether s
// is longer than limit characters.
func cut(s string, limit int) (string, int, bool) {
	if len(s) <= limit {
		return s, utf8.RuneCountInString(s), false
	}
	n := utf8.RuneCountInString(s)
	if n <= limit {
		return s, n, false
	}
	end, i := 0, 0
	for end = range s {
		if i == limit {
			break
		}
		i++
	}
	return s[:end], n, true
}

// Invalid is the error of a message or request that failed validation: what it is ("cluster",
// "compute template", "request") and every bad field.
type Invalid struct {
	What string
	Errs field.ErrorList
}

// Error says what is invalid and why, naming every bad field, such as `invalid cluster:
// clusterSpec.workerGroupSpec[0].groupName: Required value`. Each value is quoted with Quote
// and each map key in a path shortened likewise.
func (e *Invalid) Error() string {
	msgs := make([]string, 0, len(e.Errs))
	for _, fe := range e.Errs {
		msgs = append(msgs, boundPath(fe.Field)+": "+errorBody(fe))
	}
	return fmt.Sprintf("invalid %s: %s", e.What, strings.Join(msgs, "; "))
}

// errorBody is fe.ErrorBody() with a string or raw JSON value bounded.
func errorBody(fe *field.Error) string {
	switch fe.Type {
	case field.ErrorTypeInvalid, field.ErrorTypeTypeInvalid, field.ErrorTypeNotSupported,
		field.ErrorTypeNotFound, field.ErrorTypeDuplicate:
	default:
		return fe.ErrorBody() // a type whose message shows no value
	}
	var value string
	switch v := fe.BadValue.(type) {
	case json.RawMessage:
		value = Shorten(string(v))
	default:
		rv := reflect.ValueOf(v)
		if !rv.IsValid() || rv.Kind() != reflect.String {
			return fe.ErrorBody() // a number or an enum: short
		}
		value = Quote(rv.String())
	}
	s := fe.Type.String() + ": " + value
	if fe.Detail != "" {
		s += ": " + fe.Detail
	}
	return s
}

// boundPath shortens the map keys of a field path, such as envs.values[KEY], and then the path
// itself.
func boundPath(path string) string {
	if len(path) <= maxQuoted {
		return path
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(path, '[')
		if open < 0 {
			break
		}
		end := strings.IndexByte(path[open:], ']')
		if end < 0 {
			break
		}
		b.WriteString(path[:open+1])
		b.WriteString(Shorten(path[open+1 : open+end]))
		b.WriteByte(']')
		path = path[open+end+1:]
	}
	b.WriteString(path)
	if s := b.String(); len(s) > maxPathLength {
		prefix, _, _ := cut(s, maxPathLength)
		return prefix + "…"
	}
	return b.String()
}

// ValidateEnum refuses a number that is not a value of its enum, listing the values.
func ValidateEnum(path *field.Path, e protoreflect.Enum) field.ErrorList {
	d := e.Descriptor()
	if d.Values().ByNumber(e.Number()) != nil {
		return nil
	}
	return field.ErrorList{UnsupportedEnum(path, int32(e.Number()), d)}
}

// UnsupportedEnum is the error of a value that is not one of an enum's: a number, or a name
// as JSON may give it. The message lists the values by number and name, such as "0 (DEV)".
func UnsupportedEnum(path *field.Path, value any, d protoreflect.EnumDescriptor) *field.Error {
	values := d.Values()
	supported := make([]string, 0, values.Len())
	for i := range values.Len() {
		v := values.Get(i)
		supported = append(supported, fmt.Sprintf("%d (%s)", v.Number(), v.Name()))
	}
	return field.NotSupported(path, value, supported)
}
