//go:build integration

// Package crd tests the RayCluster CustomResourceDefinition in a real kube-apiserver: that every
// KubeRay sample manifest is accepted exactly as written, that admission refuses what the
// specification says it must, and that the schema documents itself.
package crd

import (
	"fmt"
	"os"
	"testing"

	"github.com/raykube/raykube/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	var err error
	env, err = testenv.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot start the test API server: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	if err := env.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stopping the test API server: %v\n", err)
	}
	os.Exit(code)
}
