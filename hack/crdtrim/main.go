// Command crdtrim removes the field descriptions inside embedded Kubernetes types (pod templates,
// the head Service, container settings) from a generated RayCluster CRD, and keeps every
// description of raykube's own fields. With all descriptions the CRD is several megabytes, more
// than etcd stores in one object; the embedded types are documented by Kubernetes itself
// (kubectl explain pod.spec).
//
// Usage: go run ./hack/crdtrim FILE...
package main

import (
	"fmt"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

// embeddedPaths are the schema paths, below a version's root, whose subtrees are Kubernetes
// types. "[]" steps into the items of a list. The description of the property itself is kept.
var embeddedPaths = []string{
	"spec.headGroupSpec.template",
	"spec.headGroupSpec.headService",
	"spec.headGroupSpec.ingressOptions.tls",
	"spec.workerGroupSpecs[].template",
	"spec.autoscalerOptions.resources",
	"spec.autoscalerOptions.securityContext",
	"spec.autoscalerOptions.env",
	"spec.autoscalerOptions.envFrom",
	"spec.autoscalerOptions.volumeMounts",
	"spec.gcsFaultToleranceOptions.redisUsername.valueFrom",
	"spec.gcsFaultToleranceOptions.redisPassword.valueFrom",
	"spec.historyServerOptions.collectorOptions.resources",
	"spec.historyServerOptions.collectorOptions.env",
	"spec.networkPolicy.head.ingressRules",
	"spec.networkPolicy.head.egressRules",
	"spec.networkPolicy.worker.ingressRules",
	"spec.networkPolicy.worker.egressRules",
	"spec.networkPolicy.workerGroups[].ingressRules",
	"spec.networkPolicy.workerGroups[].egressRules",
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: crdtrim FILE...")
		os.Exit(2)
	}
	for _, path := range os.Args[1:] {
		if err := trimFile(path); err != nil {
			fmt.Fprintf(os.Stderr, "crdtrim: %s: %v\n", path, err)
			os.Exit(1)
		}
	}
}

func trimFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var crd map[string]any
	if err := yaml.Unmarshal(data, &crd); err != nil {
		return err
	}
	versions, _ := dig(crd, "spec", "versions").([]any)
	if len(versions) == 0 {
		return fmt.Errorf("no spec.versions: not a CustomResourceDefinition")
	}
	for _, v := range versions {
		root, _ := dig(v, "schema", "openAPIV3Schema").(map[string]any)
		for _, p := range embeddedPaths {
			node, err := lookup(root, p)
			if err != nil {
				return fmt.Errorf("version %v: %w", dig(v, "name"), err)
			}
			dropDescriptionsBelow(node)
		}
	}
	out, err := yaml.Marshal(crd)
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte("---\n"), out...), 0o644)
}

// lookup walks a dotted path of property names ("[]" suffix: the list's items) from root.
func lookup(root map[string]any, path string) (map[string]any, error) {
	node := root
	for _, step := range strings.Split(path, ".") {
		name, items := strings.CutSuffix(step, "[]")
		child, ok := dig(node, "properties", name).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("schema has no property %q (path %s)", name, path)
		}
		if items {
			if child, ok = dig(child, "items").(map[string]any); !ok {
				return nil, fmt.Errorf("property %q is not a list (path %s)", name, path)
			}
		}
		node = child
	}
	return node, nil
}

// dropDescriptionsBelow deletes the descriptions of everything below a schema node and keeps
// the node's own.
func dropDescriptionsBelow(node map[string]any) {
	for key, child := range node {
		switch key {
		case "description":
		case "properties":
			// The keys here are field names: a field may be named "description".
			for _, prop := range child.(map[string]any) {
				dropDescriptions(prop)
			}
		default:
			dropDescriptions(child)
		}
	}
}

// dropDescriptions deletes every description in a schema subtree.
func dropDescriptions(node any) {
	switch n := node.(type) {
	case map[string]any:
		delete(n, "description")
		dropDescriptionsBelow(n)
	case []any:
		for _, child := range n {
			dropDescriptions(child)
		}
	}
}

// dig follows map keys from node and returns what it finds, or nil.
func dig(node any, keys ...string) any {
	for _, k := range keys {
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = m[k]
	}
	return node
}
