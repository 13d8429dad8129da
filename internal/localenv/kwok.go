package localenv

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Node leases. Without them KWOK does not renew the simulated nodes' leases and the controller
// manager marks every node NotReady, and evicts its pods, about a minute after start.
const (
	nodeLeaseSeconds     = 40
	nodeLeaseParallelism = 16
)

// podCIDR is where KWOK takes pod IPs from: large enough for every pod of a test run.
const podCIDR = "10.244.0.0/16"

// kwokConfiguration is KWOK's own configuration. Leases are renewed for nodes with the KWOK
// annotation; stage parallelism is raised above the default of 4 so that many pods move at once.
func kwokConfiguration() string {
	return fmt.Sprintf(`apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  cidr: %s
  manageNodesWithAnnotationSelector: %s=%s
  nodeLeaseDurationSeconds: %d
  nodeLeaseParallelism: %d
  podPlayStageParallelism: 16
  nodePlayStageParallelism: 8
  enableProfilingHandler: false
`, podCIDR, kwokNodeAnnotation, kwokNodeValue, nodeLeaseSeconds, nodeLeaseParallelism)
}

// writeKWOKConfig writes KWOK's configuration followed by the stage definitions found in
// stagesDir (node initialize and heartbeat; pod create, ready, complete, delete) as one file.
func writeKWOKConfig(path, stagesDir string) error {
	stages, err := filepath.Glob(filepath.Join(stagesDir, "*.yaml"))
	if err != nil {
		return fmt.Errorf("listing kwok's stages: %w", err)
	}
	sort.Strings(stages)
	var buf bytes.Buffer
	buf.WriteString(kwokConfiguration())
	for _, s := range stages {
		data, err := os.ReadFile(s)
		if err != nil {
			return fmt.Errorf("reading a kwok stage: %w", err)
		}
		buf.WriteString("---\n")
		buf.Write(bytes.TrimPrefix(data, []byte("---\n")))
		if !bytes.HasSuffix(data, []byte("\n")) {
			buf.WriteByte('\n')
		}
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// kwokArgs are KWOK's flags. The lease duration is also a flag because KWOK reads it from
// there when deciding to run its lease controller.
func kwokArgs(l layout, ports Ports) []string {
	return []string{
		"--kubeconfig=" + l.kubeconfig("kwok"),
		"--config=" + l.configFile("kwok.yaml"),
		"--manage-nodes-with-annotation-selector=" + kwokNodeAnnotation + "=" + kwokNodeValue,
		fmt.Sprintf("--node-lease-duration-seconds=%d", nodeLeaseSeconds),
		"--cidr=" + podCIDR,
		fmt.Sprintf("--server-address=127.0.0.1:%d", ports.KWOK),
	}
}
