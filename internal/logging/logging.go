// Package logging builds the structured loggers of raykube's programs.
package logging

import (
	"github.com/go-logr/logr"
	"go.uber.org/zap/zapcore"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// New returns a logger writing JSON or console lines (format "json" or "console"), with
// ISO 8601 times, showing V-levels up to verbosity.
func New(format string, verbosity int) logr.Logger {
	encoder := zap.JSONEncoder()
	if format == "console" {
		encoder = zap.ConsoleEncoder()
	}
	return zap.New(encoder, zap.Level(zapcore.Level(-verbosity)), func(o *zap.Options) {
		o.TimeEncoder = zapcore.ISO8601TimeEncoder
	})
}
