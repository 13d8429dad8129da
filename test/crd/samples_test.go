//go:build integration

package crd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/raykube/raykube/internal/testenv"
)

// TestSamplesApplyUnchanged creates every object of every sample manifest (both API versions)
// with strict server-side field validation, as kubectl apply does, and reads each RayCluster
// back in the version it was written in: every field the manifest sets must come back with the
// same value, so nothing was unknown and nothing was pruned.
func TestSamplesApplyUnchanged(t *testing.T) {
	files := testenv.SampleFiles(t, env.RepoRoot)
	for _, file := range files {
		t.Run(filepath.Base(filepath.Dir(file))+"/"+filepath.Base(file), func(t *testing.T) {
			ctx := context.Background()
			ns := createNamespace(ctx, t)
			clusters := 0
			for _, obj := range readObjects(t, file) {
				obj.SetNamespace(ns)
				want := obj.DeepCopy()
				err := env.Client.Create(ctx, obj, client.FieldValidation(metav1.FieldValidationStrict))
				if err != nil {
					t.Fatalf("creating %s %s: %v", obj.GetKind(), obj.GetName(), err)
				}
				if obj.GetKind() != "RayCluster" {
					continue
				}
				clusters++
				got := &unstructured.Unstructured{}
				got.SetGroupVersionKind(want.GroupVersionKind())
				if err := env.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
					t.Fatalf("reading back %s: %v", obj.GetName(), err)
				}
				if missing := missingFields(want.Object, got.Object, ""); len(missing) > 0 {
					t.Errorf("RayCluster %s lost or changed fields: %s", obj.GetName(),
						strings.Join(missing, "; "))
				}
			}
			if clusters != 1 {
				t.Errorf("sample holds %d RayClusters, want 1", clusters)
			}
		})
	}
}

// readObjects decodes every YAML document of a file.
func readObjects(t *testing.T, file string) []*unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("decoding %s: %v", file, err)
		}
		if len(obj.Object) > 0 {
			objs = append(objs, obj)
		}
	}
}

// createNamespace creates a namespace for one test and deletes it when the test ends.
func createNamespace(_ context.Context, t *testing.T) string {
	return env.NewNamespace(t, "crd-test-")
}

// missingFields lists the paths of want (a manifest) that got (the stored object) lacks or
// holds with another value. Fields that got adds, such as defaults, are not reported.
func missingFields(want, got any, path string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %v", path, got)}
		}
		var out []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				if wv == nil {
					continue // "key:" with no value is the same as leaving it out
				}
				out = append(out, fmt.Sprintf("%s.%s: pruned", path, k))
				continue
			}
			out = append(out, missingFields(wv, gv, path+"."+k)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %d items, got %v", path, len(w), got)}
		}
		var out []string
		for i := range w {
			out = append(out, missingFields(w[i], g[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	default:
		if wn, ok := number(want); ok {
			if gn, ok := number(got); ok && wn == gn {
				return nil
			}
		}
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s: want %v (%T), got %v (%T)", path, want, want, got, got)}
		}
		return nil
	}
}

// number gives the value of a JSON number, which decodes as float64 or int64 depending on the
// decoder.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	}
	return 0, false
}
