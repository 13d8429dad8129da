package localenv

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestNodeObject(t *testing.T) {
	group := NodeGroup{Count: 1, CPU: "8", Memory: "40G", Pods: new(20),
		Resources: map[string]Quantity{"google.com/tpu": "4"},
		Labels:    map[string]string{"cloud.google.com/gke-tpu-topology": "2x2x2"}}
	tmpl, err := group.Template("--", "tpu-1")
	if err != nil {
		t.Fatal(err)
	}
	got := NodeObject(tmpl)

	wantCapacity := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("8"),
		corev1.ResourceMemory:           resource.MustParse("40G"),
		corev1.ResourcePods:             resource.MustParse("20"),
		corev1.ResourceEphemeralStorage: resource.MustParse("500Gi"),
		"google.com/tpu":                resource.MustParse("4"),
	}
	want := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: "tpu-1",
			Labels: map[string]string{
				"kubernetes.io/hostname":            "tpu-1",
				"kubernetes.io/os":                  "linux",
				"kubernetes.io/arch":                "amd64",
				"type":                              "kwok",
				"app.kubernetes.io/managed-by":      "raykube-local",
				"cloud.google.com/gke-tpu-topology": "2x2x2",
			},
			Annotations: map[string]string{
				"kwok.x-k8s.io/node":           "fake",
				"node.alpha.kubernetes.io/ttl": "0",
			},
		},
		Status: corev1.NodeStatus{
			Capacity: wantCapacity, Allocatable: wantCapacity, Phase: corev1.NodeRunning,
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("node (-want +got):\n%s", diff)
	}
	if len(got.Spec.Taints) != 0 {
		t.Errorf("node has taints %v, want none", got.Spec.Taints)
	}
}

func TestNodeObjectGPU(t *testing.T) {
	tmpl, err := DefaultConfig().Nodes[0].Template("nodes[0]", "raykube-node-1")
	if err != nil {
		t.Fatal(err)
	}
	got := NodeObject(tmpl).Status.Capacity
	for name, want := range map[corev1.ResourceName]string{
		"cpu": "16", "memory": "64Gi", "nvidia.com/gpu": "1", "pods": "110",
	} {
		q := got[name]
		if q.String() != want {
			t.Errorf("capacity %s = %s, want %s", name, q.String(), want)
		}
	}
}

func TestNodeUsable(t *testing.T) {
	ready := corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue}
	notReady := corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionFalse}
	taint := corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}
	tests := map[string]struct {
		conditions []corev1.NodeCondition
		taints     []corev1.Taint
		want       bool
	}{
		"ready":            {conditions: []corev1.NodeCondition{ready}, want: true},
		"no condition yet": {want: false},
		"not ready":        {conditions: []corev1.NodeCondition{notReady}, want: false},
		"ready, taint not gone": {conditions: []corev1.NodeCondition{ready},
			taints: []corev1.Taint{taint}},
		"ready, unrelated taint": {conditions: []corev1.NodeCondition{ready},
			taints: []corev1.Taint{{Key: "x"}}, want: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			n := &corev1.Node{Spec: corev1.NodeSpec{Taints: tc.taints},
				Status: corev1.NodeStatus{Conditions: tc.conditions}}
			if got := nodeUsable(n); got != tc.want {
				t.Errorf("nodeUsable = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNextNodeName(t *testing.T) {
	nodes := func(names ...string) []corev1.Node {
		var out []corev1.Node
		for _, n := range names {
			out = append(out, corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n}})
		}
		return out
	}
	tests := map[string]struct {
		existing []corev1.Node
		want     string
	}{
		"none": {want: "raykube-node-1"},
		"after the highest": {
			existing: nodes("raykube-node-1", "raykube-node-7", "raykube-node-3"),
			want:     "raykube-node-8",
		},
		"others ignored": {
			existing: nodes("big", "raykube-node-x", "raykube-nodes-9"),
			want:     "raykube-node-1",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := nextNodeName(tc.existing, "raykube-node"); got != tc.want {
				t.Errorf("nextNodeName = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTemplateRejectsBadNodeName(t *testing.T) {
	_, err := DefaultConfig().Nodes[0].Template("--", "Big_Node")
	if err == nil || !containsAll(err.Error(), "--name", "Big_Node") {
		t.Errorf("Template error = %v, want one naming --name", err)
	}
}
