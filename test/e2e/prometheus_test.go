//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestE2EPrometheusScrapesOperator runs a real Prometheus (Debian's prometheus package) that
// scrapes the operator and the API server of the local environment, and asks it, over its HTTP
// API, for the series of a cluster the operator made ready.
func TestE2EPrometheusScrapesOperator(t *testing.T) {
	t.Parallel()
	prom := startPrometheus(t)

	ns := newNamespace(t, "e2e-prom")
	c := newCluster(ns, "scraped", "1", 1)
	if err := suite.env.Client.Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	c = waitForReady(t, ns, c.Name)

	for _, query := range []string{
		fmt.Sprintf(`kuberay_cluster_info{namespace=%q,name=%q,uid=%q}`, ns, c.Name, c.UID),
		fmt.Sprintf(`kuberay_cluster_state{namespace=%q,name=%q,state="ready"}`, ns, c.Name),
		`up{job="raykube-apiserver"} == 1`,
	} {
		eventually(t, "Prometheus answers "+query, time.Minute, func() error {
			n, err := promQuery(prom, query)
			if err != nil {
				return err
			}
			if n != 1 {
				return fmt.Errorf("%d series", n)
			}
			return nil
		})
	}
}

// startPrometheus starts Prometheus on a free loopback port, scraping the operator's and the
// API server's metrics every second, and stops it when the test ends. It returns its URL.
func startPrometheus(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatalf("prometheus is not installed (Debian: apt-get install prometheus): %v", err)
	}
	ports := suite.env.State.Ports
	dir := t.TempDir()
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
scrape_configs:
- job_name: raykube-operator
  static_configs: [{targets: ["127.0.0.1:%d"]}]
- job_name: raykube-apiserver
  static_configs: [{targets: ["127.0.0.1:%d"]}]
`, ports.OperatorMetrics, ports.RaykubeHTTP)
	file := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeLoopbackAddr(t)
	log, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+file,
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = log.Close()
	})
	base := "http://" + addr
	eventually(t, "Prometheus ready", time.Minute, func() error {
		resp, err := http.Get(base + "/-/ready") //nolint:noctx // loopback, in a test
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s", resp.Status)
		}
		return nil
	})
	return base
}

// promQuery runs an instant query and returns how many series it gave.
func promQuery(base, query string) (int, error) {
	u := base + "/api/v1/query?query=" + url.QueryEscape(query)
	resp, err := http.Get(u) //nolint:noctx // loopback, in a test
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	var answer struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return 0, fmt.Errorf("%w: %s", err, body)
	}
	if answer.Status != "success" {
		return 0, fmt.Errorf("query %s: %s", query, strings.TrimSpace(answer.Error))
	}
	return len(answer.Data.Result), nil
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}
