package raypod

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func defaultSidecar() corev1.Container {
	return corev1.Container{
		Name:    "autoscaler",
		Image:   testImage,
		Command: []string{"/bin/bash", "-lc", "--"},
		Args:    []string{"ray kuberay-autoscaler --cluster-name demo --cluster-namespace ns"},
		Env: []corev1.EnvVar{
			{Name: "RAY_CLUSTER_NAME", Value: "demo"},
			{Name: "RAY_CLUSTER_NAMESPACE", Value: "ns"},
		},
		Resources: corev1.ResourceRequirements{
			Requests: resources("cpu", "500m", "memory", "512Mi"),
			Limits:   resources("cpu", "500m", "memory", "512Mi"),
		},
		VolumeMounts: []corev1.VolumeMount{{Name: "ray-logs", MountPath: "/tmp/ray"}},
	}
}

func TestAutoscalerSidecar(t *testing.T) {
	cases := map[string]struct {
		cluster    *rayv1.RayCluster
		want       corev1.Container
		wantRayLog []corev1.VolumeMount
		wantSA     string
	}{
		"defaults": {
			cluster: makeCluster("demo").autoscaling().obj(),
			want:    defaultSidecar(),
			wantRayLog: []corev1.VolumeMount{{Name: "shared-mem", MountPath: "/dev/shm"},
				{Name: "ray-logs", MountPath: "/tmp/ray"}},
			wantSA: "demo",
		},
		"options override the defaults": {
			cluster: func() *rayv1.RayCluster {
				c := makeCluster("demo").autoscaling().withHead(func(h *rayv1.HeadGroupSpec) {
					h.Template.Spec.ServiceAccountName = "custom-sa"
					h.Template.Spec.Containers[0].ImagePullPolicy = corev1.PullAlways
					h.Template.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{
						{Name: "logs", MountPath: "/tmp/ray"}}
				}).obj()
				c.Spec.AutoscalerOptions = &rayv1.AutoscalerOptions{
					Image:           ptr.To("my/autoscaler:1"),
					ImagePullPolicy: ptr.To(corev1.PullIfNotPresent),
					Resources: &corev1.ResourceRequirements{
						Requests: resources("cpu", "1")},
					SecurityContext: &corev1.SecurityContext{RunAsNonRoot: ptr.To(true)},
					Env: []corev1.EnvVar{{Name: "RAY_CLUSTER_NAME", Value: "x"},
						{Name: "EXTRA", Value: "1"}},
					EnvFrom: []corev1.EnvFromSource{{Prefix: "P_"}},
					VolumeMounts: []corev1.VolumeMount{{Name: "tls", MountPath: "/tls"},
						{Name: "other-logs", MountPath: "/tmp/ray"}},
					Command: []string{"python"},
					Args:    []string{"-m", "autoscaler"},
				}
				return c
			}(),
			want: corev1.Container{
				Name:            "autoscaler",
				Image:           "my/autoscaler:1",
				ImagePullPolicy: corev1.PullIfNotPresent,
				Command:         []string{"python"},
				Args:            []string{"-m", "autoscaler"},
				Env: []corev1.EnvVar{
					{Name: "RAY_CLUSTER_NAME", Value: "x"},
					{Name: "RAY_CLUSTER_NAMESPACE", Value: "ns"},
					{Name: "EXTRA", Value: "1"},
				},
				EnvFrom:         []corev1.EnvFromSource{{Prefix: "P_"}},
				Resources:       corev1.ResourceRequirements{Requests: resources("cpu", "1")},
				SecurityContext: &corev1.SecurityContext{RunAsNonRoot: ptr.To(true)},
				VolumeMounts: []corev1.VolumeMount{{Name: "tls", MountPath: "/tls"},
					{Name: "other-logs", MountPath: "/tmp/ray"}},
			},
			wantRayLog: []corev1.VolumeMount{{Name: "logs", MountPath: "/tmp/ray"},
				{Name: "shared-mem", MountPath: "/dev/shm"}},
			wantSA: "custom-sa",
		},
		"v2 from rayVersion": {
			cluster: func() *rayv1.RayCluster {
				c := makeCluster("demo").autoscaling().obj()
				c.Spec.RayVersion = "2.52.0"
				return c
			}(),
			want: func() corev1.Container {
				ctr := defaultSidecar()
				ctr.Env = append(ctr.Env, corev1.EnvVar{Name: "RAY_enable_autoscaler_v2", Value: "1"})
				return ctr
			}(),
			wantRayLog: []corev1.VolumeMount{{Name: "shared-mem", MountPath: "/dev/shm"},
				{Name: "ray-logs", MountPath: "/tmp/ray"}},
			wantSA: "demo",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			pod, err := BuildHeadPod(tc.cluster, Options{})
			if err != nil {
				t.Fatalf("BuildHeadPod() error = %v", err)
			}
			if got := len(pod.Spec.Containers); got != 2 {
				t.Fatalf("head pod has %d containers, want 2", got)
			}
			if diff := cmp.Diff(tc.want, pod.Spec.Containers[1]); diff != "" {
				t.Errorf("sidecar mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantRayLog, pod.Spec.Containers[0].VolumeMounts); diff != "" {
				t.Errorf("Ray container mounts mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantSA, pod.Spec.ServiceAccountName); diff != "" {
				t.Errorf("service account mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNoAutoscaler(t *testing.T) {
	c := makeCluster("demo").obj()
	c.Spec.EnableInTreeAutoscaling = ptr.To(false)
	pod, err := BuildHeadPod(c, Options{})
	if err != nil {
		t.Fatalf("BuildHeadPod() error = %v", err)
	}
	if len(pod.Spec.Containers) != 1 || pod.Spec.ServiceAccountName != "" {
		t.Errorf("autoscaling off: containers %d, service account %q; want 1 and none",
			len(pod.Spec.Containers), pod.Spec.ServiceAccountName)
	}
}

func TestAutoscalerV2(t *testing.T) {
	v := func(s string) *rayv1.AutoscalerVersion { return ptr.To(rayv1.AutoscalerVersion(s)) }
	cases := map[string]struct {
		autoscaling bool
		rayVersion  string
		version     *rayv1.AutoscalerVersion
		want        bool
	}{
		"autoscaling off":        {rayVersion: "2.52.0", version: v("v2")},
		"old Ray":                {autoscaling: true, rayVersion: "2.46.0"},
		"Ray 2.47":               {autoscaling: true, rayVersion: "2.47.0", want: true},
		"Ray 3.0":                {autoscaling: true, rayVersion: "3.0", want: true},
		"v prefix":               {autoscaling: true, rayVersion: "v2.50.1", want: true},
		"unreadable version":     {autoscaling: true, rayVersion: "nightly"},
		"no version":             {autoscaling: true},
		"explicit v1 on new Ray": {autoscaling: true, rayVersion: "2.52.0", version: v("v1")},
		"explicit v2 on older Ray": {
			autoscaling: true, rayVersion: "2.10.0", version: v("v2"), want: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := makeCluster("demo").obj()
			c.Spec.EnableInTreeAutoscaling = ptr.To(tc.autoscaling)
			c.Spec.RayVersion = tc.rayVersion
			if tc.version != nil {
				c.Spec.AutoscalerOptions = &rayv1.AutoscalerOptions{Version: tc.version}
			}
			if got := AutoscalerV2(c); got != tc.want {
				t.Errorf("AutoscalerV2() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAutoscalerRBAC(t *testing.T) {
	cases := map[string]struct {
		cluster *rayv1.RayCluster
		wantSA  string
	}{
		"SA named after the cluster": {
			cluster: makeCluster("demo").autoscaling().obj(),
			wantSA:  "demo",
		},
		"SA from the head template": {
			cluster: makeCluster("demo").autoscaling().withHead(func(h *rayv1.HeadGroupSpec) {
				h.Template.Spec.ServiceAccountName = "shared-sa"
			}).obj(),
			wantSA: "shared-sa",
		},
	}
	labels := map[string]string{ClusterLabel: "demo", AppNameLabel: "kuberay",
		CreatedByLabel: "kuberay-operator"}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			wantSA := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{
				Name: tc.wantSA, Namespace: "ns", Labels: labels, OwnerReferences: wantOwner()}}
			if diff := cmp.Diff(wantSA, BuildServiceAccount(tc.cluster, Options{})); diff != "" {
				t.Errorf("BuildServiceAccount() mismatch (-want +got):\n%s", diff)
			}

			wantRole := &rbacv1.Role{
				ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: "ns", Labels: labels,
					OwnerReferences: wantOwner()},
				Rules: []rbacv1.PolicyRule{
					{APIGroups: []string{""}, Resources: []string{"pods"},
						Verbs: []string{"get", "list", "watch", "patch"}},
					{APIGroups: []string{"ray.io"}, Resources: []string{"rayclusters"},
						ResourceNames: []string{"demo"}, Verbs: []string{"get", "patch"}},
				},
			}
			if diff := cmp.Diff(wantRole, BuildRole(tc.cluster, Options{})); diff != "" {
				t.Errorf("BuildRole() mismatch (-want +got):\n%s", diff)
			}

			wantBinding := &rbacv1.RoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: "ns", Labels: labels,
					OwnerReferences: wantOwner()},
				Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: tc.wantSA,
					Namespace: "ns"}},
				RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role",
					Name: "demo"},
			}
			if diff := cmp.Diff(wantBinding, BuildRoleBinding(tc.cluster, Options{})); diff != "" {
				t.Errorf("BuildRoleBinding() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
