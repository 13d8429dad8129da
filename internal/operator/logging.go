package operator

import (
	"github.com/go-logr/logr"
	"go.uber.org/zap/zapcore"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// NewLogger returns the operator's logger: JSON or console lines, showing V-levels up to
// verbosity.
func NewLogger(format string, verbosity int) logr.Logger {
	encoder := zap.JSONEncoder()
	if format == "console" {
		encoder = zap.ConsoleEncoder()
	}
	return zap.New(encoder, zap.Level(zapcore.Level(-verbosity)), func(o *zap.Options) {
		o.TimeEncoder = zapcore.ISO8601TimeEncoder
	})
}
