package localenv

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// probe is a component's health endpoint.
type probe struct {
	url string
	tls *tls.Config
}

// check asks the endpoint once; nil when it answers 200.
func (p probe) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return fmt.Errorf("building the request: %w", err)
	}
	transport := &http.Transport{TLSClientConfig: p.tls, DisableKeepAlives: true}
	resp, err := (&http.Client{Transport: transport}).Do(req)
	if err != nil {
		return fmt.Errorf("asking %s: %w", p.url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s: %s", p.url, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

// waitHealthy polls p until it answers, the process exits, or timeout passes. The error of a
// failed start ends with the last lines of the process's log.
func waitHealthy(ctx context.Context, c *child, p probe, logPath string,
	timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		if done, err := c.exited(); done {
			return fmt.Errorf("%s exited during start-up (%w); the end of %s:\n%s",
				c.record.Name, err, shortPath(logPath), tail(logPath, 15))
		}
		if last = p.check(ctx); last == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not become healthy within %s: %w; the end of %s:\n%s",
				c.record.Name, timeout, last, shortPath(logPath), tail(logPath, 15))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", c.record.Name, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// tail returns the last n lines of a file, indented, for error messages.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "    (no log: " + err.Error() + ")"
	}
	defer func() { _ = f.Close() }()
	var lines []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64*1024), 1024*1024)
	for s.Scan() {
		lines = append(lines, s.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	for i, l := range lines {
		if len(l) > 300 {
			l = l[:300] + "..."
		}
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}

// tlsConfig trusts the local CA and, when certName is not empty, presents that client
// certificate.
func tlsConfig(l layout, certName string) (*tls.Config, error) {
	caPEM, err := os.ReadFile(l.pki("ca.crt"))
	if err != nil {
		return nil, fmt.Errorf("reading the CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("%s holds no certificate", l.pki("ca.crt"))
	}
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if certName != "" {
		cert, err := tls.LoadX509KeyPair(l.pki(certName+".crt"), l.pki(certName+".key"))
		if err != nil {
			return nil, fmt.Errorf("loading the %s certificate: %w", certName, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// portOpen says whether something listens on a loopback port.
func portOpen(port int) bool {
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}
