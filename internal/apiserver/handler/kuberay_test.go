package handler

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/raykube/raykube/internal/apiserver/gen/compat"
	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// TestKubeRayTemplateWire decodes the bytes a client built from KubeRay's definition sends for
// a template (cpu and memory as varints, fields 3 and 4; tolerations' value and effect as
// fields 3 and 4), so that a change of a number or a type here fails.
func TestKubeRayTemplateWire(t *testing.T) {
	var toleration []byte
	for _, f := range []struct {
		num protowire.Number
		v   string
	}{{1, "gpu"}, {2, "Equal"}, {3, "yes"}, {4, "NoSchedule"}} {
		toleration = protowire.AppendTag(toleration, f.num, protowire.BytesType)
		toleration = protowire.AppendString(toleration, f.v)
	}
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendString(b, "small")
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, 4)
	b = protowire.AppendTag(b, 4, protowire.VarintType)
	b = protowire.AppendVarint(b, 16)
	b = protowire.AppendTag(b, 5, protowire.VarintType)
	b = protowire.AppendVarint(b, 1)
	b = protowire.AppendTag(b, 7, protowire.BytesType)
	b = protowire.AppendBytes(b, toleration)

	got := &compat.ComputeTemplate{}
	if err := proto.Unmarshal(b, got); err != nil {
		t.Fatal(err)
	}
	want := &compat.ComputeTemplate{Name: "small", Cpu: 4, Memory: 16, Gpu: 1,
		Tolerations: []*apiv1.PodToleration{{Key: "gpu", Operator: "Equal", Value: "yes",
			Effect: "NoSchedule"}}}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
	if unknown := got.ProtoReflect().GetUnknown(); len(unknown) > 0 {
		t.Errorf("%d bytes were not understood", len(unknown))
	}
}

func TestKubeRayTemplateConversion(t *testing.T) {
	own := &apiv1.ComputeTemplate{Name: "gpu", Namespace: "ns", Cpu: 0.5, Memory: 1.5,
		MemoryUnit: "Gi", Gpu: 2, GpuAccelerator: "nvidia.com/gpu",
		ExtendedResources: map[string]uint32{"vpc.amazonaws.com/efa": 1},
		NodeSelector:      map[string]string{"pool": "gpu"},
		Tolerations:       []*apiv1.PodToleration{{Key: "gpu", Operator: "Exists"}}}
	kuberay := toKubeRay(own)
	want := &compat.ComputeTemplate{Name: "gpu", Namespace: "ns", Cpu: 1, Memory: 2,
		MemoryUnit: "Gi", Gpu: 2, GpuAccelerator: "nvidia.com/gpu",
		ExtendedResources: map[string]uint32{"vpc.amazonaws.com/efa": 1},
		NodeSelector:      map[string]string{"pool": "gpu"},
		Tolerations:       []*apiv1.PodToleration{{Key: "gpu", Operator: "Exists"}}}
	if diff := cmp.Diff(want, kuberay, protocmp.Transform()); diff != "" {
		t.Errorf("toKubeRay (-want +got):\n%s", diff)
	}
	back := fromKubeRay(kuberay)
	own.Cpu, own.Memory = 1, 2
	if diff := cmp.Diff(own, back, protocmp.Transform()); diff != "" {
		t.Errorf("fromKubeRay (-want +got):\n%s", diff)
	}
	if toKubeRay(nil) != nil || fromKubeRay(nil) != nil {
		t.Error("nil templates must stay nil")
	}
}

func TestRoundUp(t *testing.T) {
	for in, want := range map[float64]uint32{0: 0, -1: 0, math.NaN(): 0, 0.001: 1, 1: 1, 2.5: 3,
		5e9: math.MaxUint32, math.Inf(1): math.MaxUint32} {
		if got := roundUp(in); got != want {
			t.Errorf("roundUp(%v) = %d, want %d", in, got, want)
		}
	}
}
