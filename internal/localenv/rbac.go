package localenv

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// clusterAdminRole is the built-in role the operator gets when no RBAC manifests are given.
const clusterAdminRole = "cluster-admin"

// OperatorBinding is the name of the ClusterRoleBinding that gives the environment's operator
// its permissions.
const OperatorBinding = "raykube-local-operator"

// localPrefix starts the name of every RBAC object the environment creates for its own
// operator: "raykube-local-operator" for config/rbac's ClusterRole "raykube-operator". The
// environment is a cluster on which `make deploy` (config/default) or the Helm chart can be
// tried: were its objects named as theirs, the chart would refuse to adopt them and removing
// either install would take the environment's operator's permissions away.
const localPrefix = "raykube-local-"

// LocalName is the name the environment gives its own copy of the RBAC object name.
func LocalName(name string) string {
	return localPrefix + strings.TrimPrefix(name, "raykube-")
}

// installOperatorRBAC applies the operator's RBAC manifests (config/rbac), renamed with
// LocalName, and binds their ClusterRole to the operator's user, so that the operator runs with
// the permissions it ships with, as it would in a real cluster, and a missing permission shows
// up here. Without a directory the operator's user is bound to cluster-admin. It returns the
// role bound.
func installOperatorRBAC(ctx context.Context, c client.Client, dir string) (string, error) {
	role := clusterAdminRole
	if dir != "" {
		objs, err := OperatorRBACObjects(dir)
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
	binding := operatorBinding(role)
	if err := c.Create(ctx, binding); err != nil {
		return "", fmt.Errorf("binding %s to the operator: %w", role, err)
	}
	return role, nil
}

// OperatorRBACObjects reads the RBAC manifests of dir (config/rbac) as the environment applies
// them for its operator: each renamed with LocalName and labelled as the environment's, rules
// untouched. The directory's kustomization.yaml, which only lists the manifests for kustomize,
// is skipped.
func OperatorRBACObjects(dir string) ([]*unstructured.Unstructured, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("listing the RBAC manifests: %w", err)
	}
	var all []*unstructured.Unstructured
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		objs, err := readObjects(f)
		if err != nil {
			return nil, err
		}
		for _, obj := range objs {
			obj.SetName(LocalName(obj.GetName()))
			labels := obj.GetLabels()
			if labels == nil {
				labels = map[string]string{}
			}
			labels[managedByLabel] = managedByValue
			obj.SetLabels(labels)
		}
		all = append(all, objs...)
	}
	return all, nil
}

// operatorBinding binds a ClusterRole to the user of the operator's client certificate.
func operatorBinding(role string) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: OperatorBinding,
			Labels: map[string]string{managedByLabel: managedByValue}},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind,
			Name: operatorUser}},
	}
}
