package raypod

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// GCS fault tolerance keeps the cluster's global control store in an external Redis, so that a
// new head pod takes over the state of the one it replaces and the workers wait for it instead
// of exiting. It is asked for with spec.gcsFaultToleranceOptions, or, in the older form, with
// the FTEnabledAnnotation and RAY_REDIS_ADDRESS set in the head container by the user.
const (
	// FTEnabledAnnotation set to "true" on the RayCluster turns GCS fault tolerance on; the
	// operator also puts it on every Ray pod of such a cluster.
	FTEnabledAnnotation = "ray.io/ft-enabled"
	// ExternalStorageNamespaceAnnotation on the RayCluster names the cluster's key space in
	// Redis, in the older form; spec.gcsFaultToleranceOptions.externalStorageNamespace wins.
	ExternalStorageNamespaceAnnotation = "ray.io/external-storage-namespace"

	// RedisAddressEnv is where the head's GCS finds Redis.
	RedisAddressEnv = "RAY_REDIS_ADDRESS"
	// RedisPasswordEnv and RedisUsernameEnv carry the Redis credentials into the head
	// container; `ray start` reads them through --redis-password and --redis-username.
	RedisPasswordEnv = "REDIS_PASSWORD"
	RedisUsernameEnv = "REDIS_USERNAME"
	// ExternalStorageNamespaceEnv separates the state of clusters that share one Redis.
	ExternalStorageNamespaceEnv = "RAY_external_storage_namespace"
	// GCSReconnectTimeoutEnv is how long a worker waits for the GCS to come back.
	GCSReconnectTimeoutEnv = "RAY_gcs_rpc_server_reconnect_timeout_s"

	// workerGCSReconnectTimeout gives a replacement head ten minutes to start before the
	// workers of a fault-tolerant cluster give up on it.
	workerGCSReconnectTimeout = "600"
)

// GCSFaultToleranceEnabled reports whether the cluster asks for GCS fault tolerance with
// Redis. The embedded rocksdb backend is not built yet: such a cluster runs without fault
// tolerance, and the operator says so in an event.
func GCSFaultToleranceEnabled(c *rayv1.RayCluster) bool {
	if o := c.Spec.GcsFaultToleranceOptions; o != nil {
		return o.Backend != rayv1.GcsFaultToleranceBackendRocksDB
	}
	return c.Annotations[FTEnabledAnnotation] == "true"
}

// externalStorageNamespace is the cluster's key space in Redis: the one the user chose, else the
// cluster's UID, which no other cluster shares and which a cluster recreated under the same name
// does not inherit.
func externalStorageNamespace(c *rayv1.RayCluster) string {
	if o := c.Spec.GcsFaultToleranceOptions; o != nil && o.ExternalStorageNamespace != "" {
		return o.ExternalStorageNamespace
	}
	if ns := c.Annotations[ExternalStorageNamespaceAnnotation]; ns != "" {
		return ns
	}
	return string(c.UID)
}

// gcsFaultToleranceEnv are the variables fault tolerance adds: for the head, where Redis is, the
// credentials and the key space; for workers, a reconnect timeout long enough to outlive a head
// restart.
func gcsFaultToleranceEnv(c *rayv1.RayCluster, head bool) []corev1.EnvVar {
	if !GCSFaultToleranceEnabled(c) {
		return nil
	}
	if !head {
		return []corev1.EnvVar{{Name: GCSReconnectTimeoutEnv, Value: workerGCSReconnectTimeout}}
	}
	env := []corev1.EnvVar{{Name: ExternalStorageNamespaceEnv, Value: externalStorageNamespace(c)}}
	o := c.Spec.GcsFaultToleranceOptions
	if o == nil {
		return env // the older form: the user's head container sets RAY_REDIS_ADDRESS itself
	}
	env = append(env, corev1.EnvVar{Name: RedisAddressEnv, Value: o.RedisAddress})
	if v, ok := credentialEnv(RedisPasswordEnv, o.RedisPassword); ok {
		env = append(env, v)
	}
	if v, ok := credentialEnv(RedisUsernameEnv, o.RedisUsername); ok {
		env = append(env, v)
	}
	return env
}

func credentialEnv(name string, cred *rayv1.RedisCredential) (corev1.EnvVar, bool) {
	if cred == nil || (cred.Value == "" && cred.ValueFrom == nil) {
		return corev1.EnvVar{}, false
	}
	return corev1.EnvVar{Name: name, Value: cred.Value, ValueFrom: cred.ValueFrom.DeepCopy()}, true
}

// addRedisCredentialParams makes the head's `ray start` read the Redis credentials from the
// environment, where gcsFaultToleranceEnv put them; the shell expands the variables, so the
// secret never appears in the pod spec's command.
func addRedisCredentialParams(c *rayv1.RayCluster, params map[string]string) {
	o := c.Spec.GcsFaultToleranceOptions
	if o == nil || !GCSFaultToleranceEnabled(c) {
		return
	}
	if _, ok := credentialEnv(RedisPasswordEnv, o.RedisPassword); ok {
		setIfAbsent(params, "redis-password", "$"+RedisPasswordEnv)
	}
	if _, ok := credentialEnv(RedisUsernameEnv, o.RedisUsername); ok {
		setIfAbsent(params, "redis-username", "$"+RedisUsernameEnv)
	}
}

// validateGCSFaultTolerance refuses a spec that asks for fault tolerance in two ways that
// disagree: options together with the annotation set to anything but "true", options together
// with the older settings in the head container, a missing Redis address, and a credential
// given both inline and from a source.
func validateGCSFaultTolerance(c *rayv1.RayCluster) field.ErrorList {
	o := c.Spec.GcsFaultToleranceOptions
	if o == nil {
		return validateAnnotationFaultTolerance(c)
	}
	path := field.NewPath("spec", "gcsFaultToleranceOptions")
	var errs field.ErrorList
	if v, ok := c.Annotations[FTEnabledAnnotation]; ok && v != "true" {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "annotations").
			Key(FTEnabledAnnotation), v, "must be \"true\" or absent when "+path.String()+
			" is set"))
	}
	if o.Backend != rayv1.GcsFaultToleranceBackendRocksDB {
		if o.RedisAddress == "" {
			errs = append(errs, field.Required(path.Child("redisAddress"),
				"the redis backend needs the address of the Redis server (host:port)"))
		}
		if o.Storage != nil {
			errs = append(errs, field.Forbidden(path.Child("storage"),
				"only the rocksdb backend keeps its state on a volume; the redis backend uses "+
					"redisAddress"))
		}
	} else if o.RedisAddress != "" {
		errs = append(errs, field.Forbidden(path.Child("redisAddress"),
			"the rocksdb backend keeps its state on a volume (storage), not in Redis"))
	}
	for _, cred := range []struct {
		name string
		c    *rayv1.RedisCredential
	}{{"redisPassword", o.RedisPassword}, {"redisUsername", o.RedisUsername}} {
		if cred.c != nil && cred.c.Value != "" && cred.c.ValueFrom != nil {
			errs = append(errs, field.Invalid(path.Child(cred.name), "(hidden)",
				"set value or valueFrom, not both"))
		}
	}
	head := &c.Spec.HeadGroupSpec
	if len(head.Template.Spec.Containers) > 0 {
		ray := &head.Template.Spec.Containers[0]
		for i, e := range ray.Env {
			if e.Name == RedisAddressEnv || e.Name == RedisPasswordEnv || e.Name == RedisUsernameEnv {
				errs = append(errs, field.Forbidden(field.NewPath("spec", "headGroupSpec",
					"template", "spec", "containers").Index(0).Child("env").Index(i),
					fmt.Sprintf("%s comes from %s; remove it from the head container", e.Name,
						path)))
			}
		}
	}
	for _, key := range []string{"redis-password", "redis-username"} {
		if _, ok := head.RayStartParams[key]; ok {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "headGroupSpec",
				"rayStartParams").Key(key), "the Redis credentials come from "+path.String()))
		}
	}
	return errs
}

// validateAnnotationFaultTolerance checks the older form: the annotation asks for fault
// tolerance, and the head container must then say where Redis is, or there is nothing for a new
// head to recover from.
func validateAnnotationFaultTolerance(c *rayv1.RayCluster) field.ErrorList {
	containers := c.Spec.HeadGroupSpec.Template.Spec.Containers
	if c.Annotations[FTEnabledAnnotation] != "true" || len(containers) == 0 {
		return nil
	}
	for _, e := range containers[0].Env {
		if e.Name == RedisAddressEnv {
			return nil
		}
	}
	return field.ErrorList{field.Required(field.NewPath("spec", "headGroupSpec", "template",
		"spec", "containers").Index(0).Child("env"), fmt.Sprintf("%s must give the Redis "+
		"address when the annotation %s is \"true\" (or set spec.gcsFaultToleranceOptions)",
		RedisAddressEnv, FTEnabledAnnotation))}
}

// markFaultTolerant puts the FTEnabledAnnotation on a pod of a fault-tolerant cluster.
func markFaultTolerant(c *rayv1.RayCluster, pod *corev1.Pod) {
	if !GCSFaultToleranceEnabled(c) {
		return
	}
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[FTEnabledAnnotation] = "true"
}
