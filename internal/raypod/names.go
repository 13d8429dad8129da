package raypod

import (
	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// HeadServiceName is the name of the head Service: headGroupSpec.headService.metadata.name when
// set, else <cluster>-head-svc.
func HeadServiceName(c *rayv1.RayCluster) string {
	if hs := c.Spec.HeadGroupSpec.HeadService; hs != nil && hs.Name != "" {
		return hs.Name
	}
	return c.Name + "-head-svc"
}

// HeadPodGenerateName is the prefix from which the API server generates the head pod's name.
func HeadPodGenerateName(c *rayv1.RayCluster) string {
	return c.Name + "-head-"
}

// WorkerPodGenerateName is the prefix from which the API server generates the names of the
// worker pods of a group.
func WorkerPodGenerateName(c *rayv1.RayCluster, groupName string) string {
	return c.Name + "-" + groupName + "-worker-"
}

// HeadlessServiceName is the name of the headless Service that gives the workers of multi-host
// groups DNS names.
func HeadlessServiceName(c *rayv1.RayCluster) string {
	return c.Name + "-headless"
}

// ServeServiceName is the name of the Service in front of Ray Serve.
func ServeServiceName(c *rayv1.RayCluster) string {
	return c.Name + "-serve-svc"
}

// IngressName is the name of the Ingress in front of the head's dashboard.
func IngressName(c *rayv1.RayCluster) string {
	return c.Name + "-head-ingress"
}

// AutoscalerServiceAccountName is the ServiceAccount the head pod runs as when autoscaling is
// on: the head template's serviceAccountName when set, else the cluster's name.
func AutoscalerServiceAccountName(c *rayv1.RayCluster) string {
	if sa := c.Spec.HeadGroupSpec.Template.Spec.ServiceAccountName; sa != "" {
		return sa
	}
	return c.Name
}

// AutoscalerRoleName is the name of the autoscaler's Role and RoleBinding.
func AutoscalerRoleName(c *rayv1.RayCluster) string {
	return c.Name
}

// HeadServiceFQDN is the fully qualified DNS name of the head Service,
// <svc>.<namespace>.svc.<domain>.
func HeadServiceFQDN(c *rayv1.RayCluster, opts Options) string {
	return HeadServiceName(c) + "." + c.Namespace + ".svc." + opts.clusterDomain()
}
