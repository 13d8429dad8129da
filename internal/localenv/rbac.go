package localenv

import (
	"context"
	"fmt"
	"path/filepath"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// clusterAdminRole is the built-in role the operator gets when no RBAC manifests are given.
const clusterAdminRole = "cluster-admin"

// installOperatorRBAC applies the operator's RBAC manifests (config/rbac) and binds their
// ClusterRole to the operator's user, so that the operator runs with the permissions it ships
// with, as it would in a real cluster, and a missing permission shows up here. Without a
// directory the operator's user is bound to cluster-admin. It returns the role bound. The
// directory's kustomization.yaml, which only lists the manifests for kustomize, is skipped.
func installOperatorRBAC(ctx context.Context, c client.Client, dir string) (string, error) {
	role := clusterAdminRole
	if dir != "" {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			return "", fmt.Errorf("listing the RBAC manifests: %w", err)
		}
		for _, f := range files {
			if filepath.Base(f) == "kustomization.yaml" {
				continue
			}
			objs, err := readObjects(f)
			if err != nil {
				return "", err
			}
			for _, obj := range objs {
				err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj),
					client.FieldOwner(fieldManager), client.ForceOwnership)
				if err != nil {
					return "", fmt.Errorf("applying %s %s: %w", obj.GetKind(), obj.GetName(), err)
				}
				if obj.GetKind() == "ClusterRole" {
					role = obj.GetName()
				}
			}
		}
	}
	binding := operatorBinding(role)
	if err := c.Create(ctx, binding); err != nil {
		return "", fmt.Errorf("binding %s to the operator: %w", role, err)
	}
	return role, nil
}

// operatorBinding binds a ClusterRole to the user of the operator's client certificate.
func operatorBinding(role string) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "raykube-operator-local",
			Labels: map[string]string{managedByLabel: managedByValue}},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind,
			Name: operatorUser}},
	}
}
