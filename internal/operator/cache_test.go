package operator

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"
)

func TestTrimPodKeepsWhatTheControllerReads(t *testing.T) {
	now := metav1.Unix(1000, 0)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "demo-small-worker-abcde", GenerateName: "demo-small-worker-", Namespace: "ns",
			UID: "u1", ResourceVersion: "7", CreationTimestamp: now, DeletionTimestamp: &now,
			Labels:          map[string]string{"ray.io/cluster": "demo"},
			Annotations:     map[string]string{"big": "dropped", "ray.io/pod-spec-hash": "kept"},
			OwnerReferences: []metav1.OwnerReference{{Name: "demo", UID: "c1"}},
			ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: "dropped"}},
		},
		Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			NodeName:      "node-1",
			Containers: []corev1.Container{{Name: "ray-worker", Image: "dropped",
				Env: []corev1.EnvVar{{Name: "DROPPED", Value: "x"}}}},
			Volumes: []corev1.Volume{{Name: "dropped"}},
		},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning, Reason: "r", Message: "m", PodIP: "10.0.0.1",
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue,
				Reason: "ok", LastTransitionTime: now, LastProbeTime: now}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "ray-worker", Ready: true,
				RestartCount: 2, Image: "dropped", ImageID: "dropped",
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}}},
		},
	}
	want := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "demo-small-worker-abcde", GenerateName: "demo-small-worker-", Namespace: "ns",
			UID: "u1", ResourceVersion: "7", CreationTimestamp: now, DeletionTimestamp: &now,
			Labels:          map[string]string{"ray.io/cluster": "demo"},
			Annotations:     map[string]string{"ray.io/pod-spec-hash": "kept"},
			OwnerReferences: []metav1.OwnerReference{{Name: "demo", UID: "c1"}},
		},
		Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			NodeName:      "node-1",
			Containers:    []corev1.Container{{Name: "ray-worker"}},
		},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning, Reason: "r", Message: "m", PodIP: "10.0.0.1",
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue,
				Reason: "ok", LastTransitionTime: now}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "ray-worker", Ready: true,
				RestartCount: 2,
				State:        corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}}},
		},
	}
	got, err := trimPod(pod)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trimmed pod (-want +got):\n%s", diff)
	}
}

func TestTrimPodPassesTombstonesThrough(t *testing.T) {
	tombstone := toolscache.DeletedFinalStateUnknown{Key: "ns/p"}
	got, err := trimPod(tombstone)
	if err != nil || got != any(tombstone) {
		t.Errorf("trimPod(tombstone) = %v, %v; want it unchanged", got, err)
	}
}
