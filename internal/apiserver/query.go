package apiserver

import (
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/raykube/raykube/internal/apiserver/convert"
)

// queryParser reads query parameters, such as ?limit=10, as grpc-gateway does; a parameter it
// cannot read is refused with a message that names the parameter and quotes its value bounded,
// where grpc-gateway's own message would quote the whole value.
type queryParser struct{}

// Parse reads values into msg, ignoring the parameters filter names (those of the path).
func (queryParser) Parse(msg proto.Message, values url.Values,
	filter *utilities.DoubleArray) error {
	var parser runtime.DefaultQueryParser
	if err := parser.Parse(msg, values, filter); err == nil {
		return nil
	}
	// Read each parameter alone to find the ones that cannot be read.
	var errs field.ErrorList
	for _, key := range slices.Sorted(maps.Keys(values)) {
		one := msg.ProtoReflect().New().Interface()
		if parser.Parse(one, url.Values{key: values[key]}, filter) != nil {
			errs = append(errs, field.Invalid(field.NewPath(key), strings.Join(values[key], ","),
				parameterExpected(msg, key, len(values[key]))))
		}
	}
	if len(errs) == 0 {
		return errors.New("invalid request: the query parameters name one field twice")
	}
	return &convert.Invalid{What: "request", Errs: errs}
}

// parameterExpected says what a query parameter of msg must be.
func parameterExpected(msg proto.Message, key string, n int) string {
	fields := msg.ProtoReflect().Descriptor().Fields()
	fd := fields.ByJSONName(key)
	if fd == nil {
		fd = fields.ByTextName(key)
	}
	switch {
	case fd == nil:
		return "cannot be read"
	case n > 1 && !fd.IsList():
		return "must be given once"
	}
	return expected(fd)
}
