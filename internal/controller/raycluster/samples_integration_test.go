//go:build integration

package raycluster_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/controller/raycluster"
	"github.com/raykube/raykube/internal/raypod"
	"github.com/raykube/raykube/internal/testenv"
)

// Warning events that samples may draw: fields accepted but not acted on, and deprecated ones.
var allowedSampleWarnings = []string{"UnsupportedField", "DeprecatedField"}

// TestSamplesReconcile applies every sample manifest unchanged and checks that the operator
// creates the pods and head Service it describes, that the cluster becomes ready once the pods
// run, and that no error event is emitted.
func TestSamplesReconcile(t *testing.T) {
	for _, file := range testenv.SampleFiles(t, env.RepoRoot) {
		t.Run(filepath.Base(filepath.Dir(file))+"/"+filepath.Base(file), func(t *testing.T) {
			ns := newNamespace(t)
			c := applySample(t, file, ns)

			waitForPods(t, c, headLabels, 1)
			for _, g := range c.Spec.WorkerGroupSpecs {
				want := int(raycluster.GroupDesiredPods(&g))
				waitForPods(t, c, map[string]string{"ray.io/group": g.GroupName}, want)
			}
			checkHeadServicePorts(t, c)
			if c.Spec.HeadGroupSpec.Replicas != nil {
				waitForEvent(t, c, "DeprecatedField")
			}
			checkFaultTolerance(t, c, filepath.Base(filepath.Dir(file))+"/"+filepath.Base(file))
			runAll(t, c)
			waitForState(t, c, rayv1.Ready)
			for _, e := range eventsOf(t, c) {
				if e.Type == corev1.EventTypeWarning && !slices.Contains(allowedSampleWarnings, e.Reason) {
					t.Errorf("warning event %s: %s", e.Reason, e.Note)
				}
			}
		})
	}
}

// faultTolerantSamples are the samples that ask for GCS fault tolerance, with the Redis address
// and key space their head pod must get ("" for the cluster's UID).
var faultTolerantSamples = map[string]struct{ address, keySpace string }{
	"v1/ray-cluster.external-redis.yaml":       {address: "redis:6379"},
	"v1alpha1/ray-cluster.external-redis.yaml": {address: "redis:6379", keySpace: "my-raycluster-storage-namespace"},
}

// checkFaultTolerance checks that the pods of a sample that asks for GCS fault tolerance are
// built for it: the head finds Redis and its key space, every pod is marked, and workers wait
// for a restarted head. Other samples must not be marked.
func checkFaultTolerance(t *testing.T, c *rayv1.RayCluster, sample string) {
	t.Helper()
	want, ok := faultTolerantSamples[sample]
	if ok != raypod.GCSFaultToleranceEnabled(c) {
		t.Fatalf("GCSFaultToleranceEnabled = %v, but the sample table says %v", !ok, ok)
	}
	pods := listPods(t, c, map[string]string{"ray.io/cluster": c.Name})
	for _, pod := range pods {
		if got := pod.Annotations[raypod.FTEnabledAnnotation]; ok != (got == "true") {
			t.Errorf("pod %s: annotation %s = %q, fault tolerant = %v", pod.Name,
				raypod.FTEnabledAnnotation, got, ok)
		}
	}
	if !ok {
		return
	}
	if want.keySpace == "" {
		want.keySpace = string(c.UID)
	}
	for _, pod := range pods {
		env := map[string]string{}
		for _, e := range pod.Spec.Containers[0].Env {
			env[e.Name] = e.Value
		}
		got := map[string]string{raypod.RedisAddressEnv: env[raypod.RedisAddressEnv],
			raypod.ExternalStorageNamespaceEnv: env[raypod.ExternalStorageNamespaceEnv],
			raypod.GCSReconnectTimeoutEnv:      env[raypod.GCSReconnectTimeoutEnv]}
		wantEnv := map[string]string{raypod.RedisAddressEnv: want.address,
			raypod.ExternalStorageNamespaceEnv: want.keySpace, raypod.GCSReconnectTimeoutEnv: ""}
		if pod.Labels["ray.io/node-type"] == "worker" {
			wantEnv = map[string]string{raypod.RedisAddressEnv: "",
				raypod.ExternalStorageNamespaceEnv: "", raypod.GCSReconnectTimeoutEnv: "600"}
		}
		if diff := cmp.Diff(wantEnv, got); diff != "" {
			t.Errorf("pod %s: fault-tolerance env (-want +got):\n%s", pod.Name, diff)
		}
	}
}

// applySample creates every object of a sample file in ns, with strict field validation, and
// returns its RayCluster as ray.io/v1.
func applySample(t *testing.T, file, ns string) *rayv1.RayCluster {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var name string
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("decoding %s: %v", file, err)
		}
		if len(obj.Object) == 0 {
			continue
		}
		obj.SetNamespace(ns)
		if err := env.Client.Create(ctx, obj, client.FieldValidation(metav1.FieldValidationStrict)); err != nil {
			t.Fatalf("creating %s %s: %v", obj.GetKind(), obj.GetName(), err)
		}
		if obj.GetKind() == "RayCluster" {
			name = obj.GetName()
		}
	}
	if name == "" {
		t.Fatalf("%s has no RayCluster", file)
	}
	c := &rayv1.RayCluster{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// checkHeadServicePorts checks the head Service's ports against the spec: the ports of a
// user-supplied Service, every port of the head's Ray container (unnamed ones named
// <port>-port) or the five defaults when it has none, and metrics.
func checkHeadServicePorts(t *testing.T, c *rayv1.RayCluster) {
	t.Helper()
	want := map[string]bool{"metrics": true}
	svcName := c.Name + "-head-svc"
	if hs := c.Spec.HeadGroupSpec.HeadService; hs != nil {
		if hs.Name != "" {
			svcName = hs.Name
		}
		for _, p := range hs.Spec.Ports {
			want[p.Name] = true
		}
	}
	ports := c.Spec.HeadGroupSpec.Template.Spec.Containers[0].Ports
	if len(ports) == 0 {
		for _, n := range []string{"client", "gcs-server", "dashboard", "serve"} {
			want[n] = true
		}
	}
	for _, p := range ports {
		name := p.Name
		if name == "" {
			name = strconv.Itoa(int(p.ContainerPort)) + "-port"
		}
		want[name] = true
	}
	svc := waitForService(t, c.Namespace, svcName)
	got := map[string]bool{}
	for _, p := range svc.Spec.Ports {
		if got[p.Name] {
			t.Errorf("head Service has port %s twice", p.Name)
		}
		got[p.Name] = true
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("head Service %s ports (-want +got):\n%s", svcName, diff)
	}
}
