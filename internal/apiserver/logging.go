package apiserver

import (
	"strings"

	"github.com/go-logr/logr"
	"go.uber.org/zap/zapcore"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// NewLogger returns the server's logger: JSON or console lines, showing V-levels up to
// verbosity.
func NewLogger(format string, verbosity int) logr.Logger {
	encoder := zap.JSONEncoder()
	if format == "console" {
		encoder = zap.ConsoleEncoder()
	}
	return zap.New(encoder, zap.Level(zapcore.Level(-verbosity)))
}

// logWriter passes the messages of net/http's own logger (TLS handshake errors, panics in
// handlers) to the server's logger.
type logWriter struct {
	log logr.Logger
}

func (w logWriter) Write(p []byte) (int, error) {
	w.log.Info("HTTP server", "message", strings.TrimSpace(string(p)))
	return len(p), nil
}
