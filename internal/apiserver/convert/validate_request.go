package convert

import (
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidateRequestNamespace checks the namespace a request names, in its path or its message:
// required, and a DNS-1123 label, as every namespace is.
func ValidateRequestNamespace(ns string) field.ErrorList {
	return validateObjectName(field.NewPath("namespace"), ns, content.IsDNS1123Label)
}

// ValidateRequestName checks the name of the cluster or compute template a request reads or
// deletes: required, and a DNS-1123 subdomain, as the name of every RayCluster and ConfigMap
// is. A name that fails could name nothing, so asking Kubernetes for it is pointless.
func ValidateRequestName(name string) field.ErrorList {
	return validateObjectName(field.NewPath("name"), name, content.IsDNS1123Subdomain)
}
