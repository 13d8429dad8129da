// Command assetsdir prints the directory where `make controlplane` puts kube-apiserver, etcd and
// kubectl for the versions pinned in hack/controlplane/go.mod.
package main

import (
	"fmt"
	"os"

	"github.com/raykube/raykube/internal/testenv"
)

func main() {
	root, err := testenv.RepoRoot()
	if err == nil {
		var dir string
		if dir, err = testenv.ControlPlaneDir(root); err == nil {
			fmt.Println(dir)
			return
		}
	}
	fmt.Fprintln(os.Stderr, "assetsdir:", err)
	os.Exit(1)
}
