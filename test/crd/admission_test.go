//go:build integration

package crd

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// validCluster is a minimal RayCluster that admission accepts; each case changes one thing.
const validCluster = `
apiVersion: ray.io/v1
kind: RayCluster
metadata:
  name: demo
spec:
  headGroupSpec:
    template:
      spec:
        containers:
        - name: ray-head
          image: rayproject/ray:2.52.0
  workerGroupSpecs:
  - groupName: small
    replicas: 1
    template:
      spec:
        containers:
        - name: ray-worker
          image: rayproject/ray:2.52.0
`

// TestAdmissionRefuses checks that the API server refuses invalid clusters with a message that
// names the field, and that nothing is stored.
func TestAdmissionRefuses(t *testing.T) {
	longName := strings.Repeat("a", 54)
	cases := map[string]struct {
		edit func(obj map[string]any)
		name string
		want []string
	}{
		"name with a dot": {
			name: "demo.cluster",
			want: []string{"metadata.name must be a DNS-1035 label"},
		},
		"name starting with a digit": {
			name: "1cluster",
			want: []string{"metadata.name must be a DNS-1035 label: start with a lower-case letter"},
		},
		"54-character name": {
			name: longName,
			want: []string{"metadata.name must be no more than 53 characters"},
		},
		"minReplicas greater than maxReplicas": {
			edit: func(obj map[string]any) {
				firstGroup(obj)["minReplicas"] = int64(3)
				firstGroup(obj)["maxReplicas"] = int64(1)
			},
			want: []string{"spec.workerGroupSpecs[0]",
				"workerGroupSpecs[].minReplicas must not be greater than maxReplicas"},
		},
		"worker group without containers": {
			edit: func(obj map[string]any) {
				firstGroup(obj)["template"] = map[string]any{
					"spec": map[string]any{"containers": []any{}}}
			},
			want: []string{"spec.workerGroupSpecs[0].template",
				"workerGroupSpecs[].template.spec.containers must list at least one container"},
		},
		"head group without containers": {
			edit: func(obj map[string]any) {
				head := obj["spec"].(map[string]any)["headGroupSpec"].(map[string]any)
				head["template"] = map[string]any{"spec": map[string]any{"containers": []any{}}}
			},
			want: []string{"spec.headGroupSpec.template",
				"headGroupSpec.template.spec.containers must list at least one container"},
		},
		"duplicate group names": {
			edit: func(obj map[string]any) {
				spec := obj["spec"].(map[string]any)
				groups := spec["workerGroupSpecs"].([]any)
				spec["workerGroupSpecs"] = append(groups, copyJSON(groups[0]))
			},
			want: []string{"spec.workerGroupSpecs[1]", "Duplicate value", `"groupName":"small"`},
		},
		"numOfHosts 0": {
			edit: func(obj map[string]any) { firstGroup(obj)["numOfHosts"] = int64(0) },
			want: []string{"spec.workerGroupSpecs[0].numOfHosts",
				"should be greater than or equal to 1"},
		},
		"negative replicas": {
			edit: func(obj map[string]any) { firstGroup(obj)["replicas"] = int64(-1) },
			want: []string{"spec.workerGroupSpecs[0].replicas",
				"should be greater than or equal to 0"},
		},
		"negative minReplicas": {
			edit: func(obj map[string]any) { firstGroup(obj)["minReplicas"] = int64(-2) },
			want: []string{"spec.workerGroupSpecs[0].minReplicas",
				"should be greater than or equal to 0"},
		},
		"group named headgroup": {
			edit: func(obj map[string]any) { firstGroup(obj)["groupName"] = "headgroup" },
			want: []string{"spec.workerGroupSpecs[0].groupName",
				"groupName 'headgroup' is reserved"},
		},
		"unknown service type": {
			edit: func(obj map[string]any) {
				head := obj["spec"].(map[string]any)["headGroupSpec"].(map[string]any)
				head["serviceType"] = "ExternalName"
			},
			want: []string{"spec.headGroupSpec.serviceType", "Unsupported value"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			obj := editedCluster(ctx, t, tc.name, tc.edit)
			err := env.Client.Create(ctx, obj)
			if !apierrors.IsInvalid(err) {
				t.Fatalf("create: got error %v, want an Invalid error", err)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err.Error(), want)
				}
			}
			var list unstructured.UnstructuredList
			list.SetAPIVersion("ray.io/v1")
			list.SetKind("RayClusterList")
			if err := env.Client.List(ctx, &list, client.InNamespace(obj.GetNamespace())); err != nil {
				t.Fatal(err)
			}
			if len(list.Items) != 0 {
				t.Errorf("%d RayClusters stored after a refused create, want 0", len(list.Items))
			}
		})
	}
}

// TestAdmissionAccepts checks the other side of the rules: what must get through.
func TestAdmissionAccepts(t *testing.T) {
	cases := map[string]struct {
		name string
		edit func(obj map[string]any)
	}{
		"53-character name": {name: strings.Repeat("a", 53)},
		"minReplicas equal to maxReplicas": {edit: func(obj map[string]any) {
			firstGroup(obj)["minReplicas"] = int64(2)
			firstGroup(obj)["maxReplicas"] = int64(2)
		}},
		// A dot is harmless when no Service name is derived from the cluster name: the head
		// Service is named explicitly and no group needs the headless Service. One of KubeRay's
		// own samples is named like this.
		"dotted name with a named head Service": {name: "demo.cluster", edit: func(obj map[string]any) {
			head := obj["spec"].(map[string]any)["headGroupSpec"].(map[string]any)
			head["headService"] = map[string]any{"metadata": map[string]any{"name": "demo-head"}}
		}},
		"v1alpha1 head replicas": {edit: func(obj map[string]any) {
			obj["apiVersion"] = "ray.io/v1alpha1"
			head := obj["spec"].(map[string]any)["headGroupSpec"].(map[string]any)
			head["replicas"] = int64(1)
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			obj := editedCluster(ctx, t, tc.name, tc.edit)
			if err := env.Client.Create(ctx, obj); err != nil {
				t.Fatalf("create refused: %v", err)
			}
		})
	}
}

// TestDefaults checks the defaults the schema applies to a worker group.
func TestDefaults(t *testing.T) {
	ctx := context.Background()
	obj := parseCluster(t)
	obj.SetNamespace(createNamespace(ctx, t))
	delete(firstGroup(obj.Object), "replicas")
	if err := env.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	g := firstGroup(obj.Object)
	want := map[string]int64{"replicas": 0, "minReplicas": 0, "maxReplicas": 2147483647,
		"numOfHosts": 1, "priority": 0}
	for field, value := range want {
		if got, ok := g[field].(int64); !ok || got != value {
			t.Errorf("workerGroupSpecs[0].%s = %v, want %d", field, g[field], value)
		}
	}
}

// editedCluster is validCluster in a new namespace, renamed when name is not empty and changed
// by edit when it is not nil.
func editedCluster(ctx context.Context, t *testing.T, name string,
	edit func(map[string]any)) *unstructured.Unstructured {
	t.Helper()
	obj := parseCluster(t)
	obj.SetNamespace(createNamespace(ctx, t))
	if name != "" {
		obj.SetName(name)
	}
	if edit != nil {
		edit(obj.Object)
	}
	return obj
}

func parseCluster(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(validCluster), &obj.Object); err != nil {
		t.Fatal(err)
	}
	return obj
}

func firstGroup(obj map[string]any) map[string]any {
	return obj["spec"].(map[string]any)["workerGroupSpecs"].([]any)[0].(map[string]any)
}

func copyJSON(v any) any {
	data, err := yaml.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := yaml.Unmarshal(data, &out); err != nil {
		panic(err)
	}
	return out
}
