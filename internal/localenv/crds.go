package localenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// fieldManager owns what the local environment applies.
const fieldManager = "raykube-local"

// installCRDs applies every CRD under dir server-side (the RayCluster CRD is too large for a
// client-side apply's annotation) and waits until the API server serves them and lists them in
// its discovery documents, which clients such as the operator's REST mapper read. It returns
// their names.
func installCRDs(ctx context.Context, c client.Client, disc discovery.DiscoveryInterface,
	dir string, timeout time.Duration) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("listing CRDs: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no CRD in %s", dir)
	}
	var names []string
	var served []schema.GroupVersionResource
	for _, f := range files {
		objs, err := readObjects(f)
		if err != nil {
			return nil, err
		}
		for _, obj := range objs {
			err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj),
				client.FieldOwner(fieldManager), client.ForceOwnership)
			if err != nil {
				return nil, fmt.Errorf("applying the CRD %s: %w", obj.GetName(), err)
			}
			names = append(names, obj.GetName())
			served = append(served, servedResources(obj)...)
		}
	}
	if err := waitEstablished(ctx, c, names, timeout); err != nil {
		return nil, err
	}
	return names, waitDiscovered(ctx, disc, served, timeout)
}

// servedResources lists the group, served versions and plural name of a CRD.
func servedResources(crd *unstructured.Unstructured) []schema.GroupVersionResource {
	group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
	plural, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "plural")
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	var out []schema.GroupVersionResource
	for _, v := range versions {
		m, _ := v.(map[string]any)
		if name, _ := m["name"].(string); name != "" && m["served"] == true {
			out = append(out,
				schema.GroupVersionResource{Group: group, Version: name, Resource: plural})
		}
	}
	return out
}

// waitDiscovered waits until the API server's discovery lists every resource.
func waitDiscovered(ctx context.Context, disc discovery.DiscoveryInterface,
	resources []schema.GroupVersionResource, timeout time.Duration) error {
	for _, gvr := range resources {
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true,
			func(context.Context) (bool, error) {
				list, err := disc.ServerResourcesForGroupVersion(gvr.GroupVersion().String())
				if err != nil {
					return false, nil //nolint:nilerr // not discovered yet: poll again
				}
				for _, r := range list.APIResources {
					if r.Name == gvr.Resource {
						return true, nil
					}
				}
				return false, nil
			})
		if err != nil {
			return fmt.Errorf("%s not in the API server's discovery: %w", gvr, err)
		}
	}
	return nil
}

// waitEstablished waits until each CRD has its Established condition.
func waitEstablished(ctx context.Context, c client.Client, names []string,
	timeout time.Duration) error {
	for _, name := range names {
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true,
			func(ctx context.Context) (bool, error) {
				crd := &unstructured.Unstructured{}
				crd.SetAPIVersion("apiextensions.k8s.io/v1")
				crd.SetKind("CustomResourceDefinition")
				if err := c.Get(ctx, client.ObjectKey{Name: name}, crd); err != nil {
					return false, nil //nolint:nilerr // not served yet: poll again
				}
				conditions, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
				for _, cond := range conditions {
					m, _ := cond.(map[string]any)
					if m["type"] == "Established" && m["status"] == "True" {
						return true, nil
					}
				}
				return false, nil
			})
		if err != nil {
			return fmt.Errorf("CRD %s not established: %w", name, err)
		}
	}
	return nil
}

// readObjects decodes every object of a YAML file.
func readObjects(path string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var objs []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decoding %s: %w", path, err)
		}
		if len(obj.Object) > 0 {
			objs = append(objs, obj)
		}
	}
}
