package apiserver

import (
	"strings"

	"github.com/go-logr/logr"
)

// logWriter passes the messages of net/http's own logger (TLS handshake errors, panics in
// handlers) to the server's logger.
type logWriter struct {
	log logr.Logger
}

func (w logWriter) Write(p []byte) (int, error) {
	w.log.Info("HTTP server", "message", strings.TrimSpace(string(p)))
	return len(p), nil
}
