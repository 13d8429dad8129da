package apiserver

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// TestWireNumbers checks the field numbers that gRPC clients built from KubeRay's definition of
// the API depend on: a toleration's key 1, operator 2, value 3, effect 4, and a compute
// template's node selector 10.
func TestWireNumbers(t *testing.T) {
	tol := &apiv1.PodToleration{Key: "k", Operator: "Equal", Value: "v", Effect: "NoSchedule"}
	want := map[protowire.Number]string{1: "k", 2: "Equal", 3: "v", 4: "NoSchedule"}
	if diff := cmp.Diff(want, stringFields(t, tol)); diff != "" {
		t.Errorf("toleration fields by number (-want +got):\n%s", diff)
	}

	tmpl := &apiv1.ComputeTemplate{NodeSelector: map[string]string{"pool": "gpu"}}
	got := stringFields(t, tmpl)
	entry := &apiv1.PodToleration{Key: "pool", Operator: "gpu"} // a map entry: key 1, value 2
	wantEntry, err := proto.Marshal(entry)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[protowire.Number]string{10: string(wantEntry)}, got); diff != "" {
		t.Errorf("template fields by number (-want +got):\n%s", diff)
	}
}

// stringFields reads the length-delimited fields of m's wire form by number.
func stringFields(t *testing.T, m proto.Message) map[protowire.Number]string {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := map[protowire.Number]string{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || typ != protowire.BytesType {
			t.Fatalf("field %d of type %d", num, typ)
		}
		b = b[n:]
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			t.Fatal(protowire.ParseError(n))
		}
		out[num] = string(v)
		b = b[n:]
	}
	return out
}
