package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

func TestDropDescriptionsKeepsOwnFields(t *testing.T) {
	in := `
properties:
  spec:
    description: spec is ours
    properties:
      template:
        description: template is ours too
        properties:
          description:
            description: a field named description, from Kubernetes
            type: string
          name:
            description: from Kubernetes
            type: string
      groups:
        description: groups are ours
        items:
          properties:
            template:
              description: kept
              properties:
                image:
                  description: from Kubernetes
                  type: string
`
	want := `
properties:
  spec:
    description: spec is ours
    properties:
      template:
        description: template is ours too
        properties:
          description:
            type: string
          name:
            type: string
      groups:
        description: groups are ours
        items:
          properties:
            template:
              description: kept
              properties:
                image:
                  type: string
`
	var root, wantRoot map[string]any
	if err := yaml.Unmarshal([]byte(in), &root); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(want), &wantRoot); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"spec.template", "spec.groups[].template"} {
		node, err := lookup(root, path)
		if err != nil {
			t.Fatal(err)
		}
		dropDescriptionsBelow(node)
	}
	if diff := cmp.Diff(wantRoot, root); diff != "" {
		t.Errorf("trimmed schema (-want +got):\n%s", diff)
	}
}

func TestLookupErrors(t *testing.T) {
	root := map[string]any{"properties": map[string]any{
		"spec": map[string]any{"properties": map[string]any{"name": map[string]any{}}}}}
	for _, path := range []string{"spec.missing", "spec.name[]"} {
		if _, err := lookup(root, path); err == nil {
			t.Errorf("lookup(%q) succeeded, want an error", path)
		}
	}
}
