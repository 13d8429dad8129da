package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// SampleFiles lists the KubeRay sample manifests of both API versions (ray.io/v1 and v1alpha1)
// under SamplesDir(root), sorted. Without them a test can say nothing: it fails in CI (the CI
// environment variable is set) and skips elsewhere, saying where it looked.
func SampleFiles(t testing.TB, root string) []string {
	t.Helper()
	dir := SamplesDir(root)
	var files []string
	for _, version := range []string{"v1", "v1alpha1"} {
		matches, err := filepath.Glob(filepath.Join(dir, version, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, matches...)
	}
	if len(files) == 0 {
		msg := fmt.Sprintf("no sample manifests under %s (expected shared/samples beside the "+
			"source tree, or RAYKUBE_SAMPLES_DIR)", dir)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	sort.Strings(files)
	return files
}
