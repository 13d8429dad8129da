package convert_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/raykube/raykube/internal/apiserver/convert"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// TestTemplateConfigMap checks the ConfigMap of a template and that reading it back gives the
// template, defaults applied.
func TestTemplateConfigMap(t *testing.T) {
	cases := map[string]struct {
		in       *apiv1.ComputeTemplate
		wantData map[string]string
		wantBack *apiv1.ComputeTemplate
	}{
		"memory unit defaulted": {
			in: &apiv1.ComputeTemplate{Name: "small", Namespace: "ns", Cpu: 2, Memory: 4},
			wantData: map[string]string{"name": "small", "namespace": "ns", "cpu": "2",
				"memory": "4", "memory_unit": "Gi", "gpu": "0", "gpu_accelerator": "",
				"extended_resources": "{}", "tolerations": "[]", "node_selector": "{}"},
			wantBack: smallTemplate(),
		},
		"gpus, extended resources and tolerations": {
			in: gpuTemplate(),
			wantData: map[string]string{"name": "gpu", "namespace": "ns", "cpu": "0.5",
				"memory": "1.5", "memory_unit": "Gi", "gpu": "1", "gpu_accelerator": "",
				"extended_resources": `{"vpc.amazonaws.com/efa":2}`,
				"tolerations": `[{"key":"nvidia.com/gpu","operator":"Exists",` +
					`"effect":"NoSchedule"}]`,
				"node_selector": `{"example.com/accelerator":"nvidia-t4"}`},
			wantBack: gpuTemplate(),
		},
		"node selector of several labels": {
			in: &apiv1.ComputeTemplate{Name: "pinned", Namespace: "ns", Cpu: 1, Memory: 1,
				MemoryUnit: "Mi", NodeSelector: map[string]string{"kubernetes.io/arch": "arm64",
					"pool": "ray", "example.com/empty": ""}},
			wantData: map[string]string{"name": "pinned", "namespace": "ns", "cpu": "1",
				"memory": "1", "memory_unit": "Mi", "gpu": "0", "gpu_accelerator": "",
				"extended_resources": "{}", "tolerations": "[]",
				"node_selector": `{"example.com/empty":"","kubernetes.io/arch":"arm64",` +
					`"pool":"ray"}`},
			wantBack: &apiv1.ComputeTemplate{Name: "pinned", Namespace: "ns", Cpu: 1, Memory: 1,
				MemoryUnit: "Mi", NodeSelector: map[string]string{"kubernetes.io/arch": "arm64",
					"pool": "ray", "example.com/empty": ""}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cm, err := convert.TemplateToConfigMap(convert.WithDefaults(tc.in), opts)
			if err != nil {
				t.Fatal(err)
			}
			wantLabels := map[string]string{"ray.io/config-type": "compute-template",
				"ray.io/compute-template":      tc.in.Name,
				"app.kubernetes.io/managed-by": "kuberay-apiserver"}
			if diff := cmp.Diff(wantLabels, cm.Labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantData, cm.Data); diff != "" {
				t.Errorf("data (-want +got):\n%s", diff)
			}
			back, err := convert.ConfigMapToTemplate(cm)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantBack, back, protocmp.Transform()); diff != "" {
				t.Errorf("template read back (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConfigMapToTemplateRefusesBadData names the key that cannot be read.
func TestConfigMapToTemplateRefusesBadData(t *testing.T) {
	for key, value := range map[string]string{"cpu": "two", "gpu": "-1",
		"tolerations": "{", "extended_resources": "[]", "node_selector": `{"a": 1}`} {
		cm, err := convert.TemplateToConfigMap(convert.WithDefaults(smallTemplate()), opts)
		if err != nil {
			t.Fatal(err)
		}
		cm.Data[key] = value
		_, err = convert.ConfigMapToTemplate(cm)
		if want := "ConfigMap ns/small: key " + key + ": "; err == nil ||
			!strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s=%q: error %v, want one starting with %q", key, value, err, want)
		}
	}
}

// TestConfigMapOfEarlierTemplate reads the ConfigMap of a template stored before templates had
// node selectors: the template has none.
func TestConfigMapOfEarlierTemplate(t *testing.T) {
	cm, err := convert.TemplateToConfigMap(convert.WithDefaults(gpuTemplate()), opts)
	if err != nil {
		t.Fatal(err)
	}
	delete(cm.Data, "node_selector")
	got, err := convert.ConfigMapToTemplate(cm)
	if err != nil {
		t.Fatal(err)
	}
	want := gpuTemplate()
	want.NodeSelector = nil
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("template (-want +got):\n%s", diff)
	}
}

// TestResources checks quantities: fractions of a CPU, memory units, the GPU resource name.
func TestResources(t *testing.T) {
	cases := map[string]struct {
		in   *apiv1.ComputeTemplate
		want corev1.ResourceRequirements
	}{
		"whole cores and GiB": {in: smallTemplate(), want: resources("2", "4Gi")},
		"half a core, fractional GiB, GPU and extended": {in: gpuTemplate(),
			want: resources("500m", "1536Mi", "nvidia.com/gpu", "1", "vpc.amazonaws.com/efa", "2")},
		"other accelerator, decimal unit": {
			in: &apiv1.ComputeTemplate{Cpu: 1, Memory: 3, MemoryUnit: "G", Gpu: 2,
				GpuAccelerator: "amd.com/gpu"},
			want: resources("1", "3G", "amd.com/gpu", "2")},
		"decimal kilo, which Kubernetes writes k": {
			in:   &apiv1.ComputeTemplate{Cpu: 1, Memory: 1.5, MemoryUnit: "K"},
			want: resources("1", "1500")},
		"memory rounded up to whole bytes": {
			in:   &apiv1.ComputeTemplate{Cpu: 1, Memory: 0.3, MemoryUnit: "Ki"},
			want: resources("1", "308")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := convert.Resources(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			for _, list := range []corev1.ResourceList{got.Requests, got.Limits} {
				if len(list) != len(tc.want.Requests) {
					t.Fatalf("resources = %v, want %v", list, tc.want.Requests)
				}
				for name, q := range tc.want.Requests {
					if g := list[name]; g.Cmp(q) != 0 {
						t.Errorf("%s = %s, want %s", name, g.String(), q.String())
					}
				}
			}
		})
	}
}

// TestEvents checks that events of both events APIs are read alike and sorted newest last.
func TestEvents(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	at := func(min int) metav1.Time {
		return metav1.NewTime(t0.Add(time.Duration(min) * time.Minute))
	}
	events := []corev1.Event{
		{ObjectMeta: metav1.ObjectMeta{Name: "late", UID: "u1", CreationTimestamp: at(0)},
			FirstTimestamp: at(0), LastTimestamp: at(9), Count: 3, Reason: "Created",
			Message: "Created pod", Type: "Normal"},
		{ObjectMeta: metav1.ObjectMeta{Name: "series", UID: "u2", CreationTimestamp: at(1)},
			EventTime: metav1.NewMicroTime(at(1).Time), Reason: "Unhealthy", Type: "Warning",
			Series: &corev1.EventSeries{Count: 4,
				LastObservedTime: metav1.NewMicroTime(at(5).Time)}},
		{ObjectMeta: metav1.ObjectMeta{Name: "once", UID: "u3", CreationTimestamp: at(2)},
			EventTime: metav1.NewMicroTime(at(2).Time), Reason: "Scheduled", Type: "Normal"},
	}
	ts := func(min int) *timestamppb.Timestamp { return timestamppb.New(at(min).Time) }
	want := []*apiv1.ClusterEvent{
		{Id: "u3", Name: "once", CreatedAt: ts(2), FirstTimestamp: ts(2), LastTimestamp: ts(2),
			Reason: "Scheduled", Type: "Normal", Count: 1},
		{Id: "u2", Name: "series", CreatedAt: ts(1), FirstTimestamp: ts(1), LastTimestamp: ts(5),
			Reason: "Unhealthy", Type: "Warning", Count: 4},
		{Id: "u1", Name: "late", CreatedAt: ts(0), FirstTimestamp: ts(0), LastTimestamp: ts(9),
			Reason: "Created", Message: "Created pod", Type: "Normal", Count: 3},
	}
	if diff := cmp.Diff(want, convert.Events(events), protocmp.Transform()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
