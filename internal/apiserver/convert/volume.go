package convert

import (
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

var (
	hostPathTypes = map[apiv1.Volume_HostPathType]corev1.HostPathType{
		apiv1.Volume_DIRECTORY: corev1.HostPathDirectory,
		apiv1.Volume_FILE:      corev1.HostPathFile,
	}
	propagationModes = map[apiv1.Volume_MountPropagationMode]corev1.MountPropagationMode{
		apiv1.Volume_HOSTTOCONTAINER: corev1.MountPropagationHostToContainer,
		apiv1.Volume_BIDIRECTIONAL:   corev1.MountPropagationBidirectional,
	}
	accessModes = map[apiv1.Volume_AccessMode]corev1.PersistentVolumeAccessMode{
		apiv1.Volume_RWO: corev1.ReadWriteOnce,
		apiv1.Volume_ROX: corev1.ReadOnlyMany,
		apiv1.Volume_RWX: corev1.ReadWriteMany,
	}
)

// podVolumes returns the pod volumes and the Ray container's mounts of a group's volumes.
func podVolumes(vols []*apiv1.Volume) ([]corev1.Volume, []corev1.VolumeMount, error) {
	var volumes []corev1.Volume
	var mounts []corev1.VolumeMount
	for i, v := range vols {
		source, err := volumeSource(v)
		if err != nil {
			return nil, nil, fmt.Errorf("volumes[%d]: %w", i, err)
		}
		volumes = append(volumes, corev1.Volume{Name: v.Name, VolumeSource: source})
		mount := corev1.VolumeMount{Name: v.Name, MountPath: v.MountPath, ReadOnly: v.ReadOnly}
		if mode, ok := propagationModes[v.MountPropagationMode]; ok {
			mount.MountPropagation = ptr.To(mode)
		}
		mounts = append(mounts, mount)
	}
	return volumes, mounts, nil
}

func volumeSource(v *apiv1.Volume) (corev1.VolumeSource, error) {
	switch v.VolumeType {
	case apiv1.Volume_PERSISTENT_VOLUME_CLAIM:
		return corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{
			ClaimName: v.Source, ReadOnly: v.ReadOnly}}, nil
	case apiv1.Volume_HOST_PATH:
		return corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: v.Source,
			Type: ptr.To(hostPathTypes[v.HostPathType])}}, nil
	case apiv1.Volume_EPHEMERAL:
		return ephemeralSource(v)
	case apiv1.Volume_CONFIGMAP:
		return corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: v.Source},
			Items:                keyPaths(v.Items)}}, nil
	case apiv1.Volume_SECRET:
		return corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: v.Source,
			Items: keyPaths(v.Items)}}, nil
	case apiv1.Volume_EMPTY_DIR:
		dir := &corev1.EmptyDirVolumeSource{}
		if v.Storage != "" {
			q, err := resource.ParseQuantity(v.Storage)
			if err != nil {
				return corev1.VolumeSource{}, fmt.Errorf("storage: %w", err)
			}
			dir.SizeLimit = &q
		}
		return corev1.VolumeSource{EmptyDir: dir}, nil
	}
	return corev1.VolumeSource{}, fmt.Errorf("volumeType %d is not supported", v.VolumeType)
}

func ephemeralSource(v *apiv1.Volume) (corev1.VolumeSource, error) {
	q, err := resource.ParseQuantity(v.Storage)
	if err != nil {
		return corev1.VolumeSource{}, fmt.Errorf("storage: %w", err)
	}
	spec := corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{accessModes[v.AccessMode]},
		Resources: corev1.VolumeResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceStorage: q}},
	}
	if v.StorageClassName != "" {
		spec.StorageClassName = ptr.To(v.StorageClassName)
	}
	return corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{
		VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{Spec: spec}}}, nil
}

func keyPaths(items map[string]string) []corev1.KeyToPath {
	var out []corev1.KeyToPath
	for _, key := range slices.Sorted(maps.Keys(items)) {
		out = append(out, corev1.KeyToPath{Key: key, Path: items[key]})
	}
	return out
}

// apiVolumes is the reverse of podVolumes: the volumes the Ray container mounts, in the order
// of its mounts. A mount of a kind of volume the API cannot express is left out.
func apiVolumes(volumes []corev1.Volume, mounts []corev1.VolumeMount) []*apiv1.Volume {
	byName := map[string]*corev1.Volume{}
	for i := range volumes {
		byName[volumes[i].Name] = &volumes[i]
	}
	var out []*apiv1.Volume
	for _, m := range mounts {
		vol, ok := byName[m.Name]
		if !ok {
			continue
		}
		v := apiVolume(vol)
		if v == nil {
			continue
		}
		v.Name, v.MountPath, v.ReadOnly = m.Name, m.MountPath, m.ReadOnly
		if m.MountPropagation != nil {
			v.MountPropagationMode = keyOf(propagationModes, *m.MountPropagation)
		}
		out = append(out, v)
	}
	return out
}

func apiVolume(vol *corev1.Volume) *apiv1.Volume {
	s := vol.VolumeSource
	switch {
	case s.PersistentVolumeClaim != nil:
		return &apiv1.Volume{VolumeType: apiv1.Volume_PERSISTENT_VOLUME_CLAIM,
			Source: s.PersistentVolumeClaim.ClaimName}
	case s.HostPath != nil:
		v := &apiv1.Volume{VolumeType: apiv1.Volume_HOST_PATH, Source: s.HostPath.Path}
		if s.HostPath.Type != nil {
			v.HostPathType = keyOf(hostPathTypes, *s.HostPath.Type)
		}
		return v
	case s.Ephemeral != nil && s.Ephemeral.VolumeClaimTemplate != nil:
		return apiEphemeral(&s.Ephemeral.VolumeClaimTemplate.Spec)
	case s.ConfigMap != nil:
		return &apiv1.Volume{VolumeType: apiv1.Volume_CONFIGMAP, Source: s.ConfigMap.Name,
			Items: itemMap(s.ConfigMap.Items)}
	case s.Secret != nil:
		return &apiv1.Volume{VolumeType: apiv1.Volume_SECRET, Source: s.Secret.SecretName,
			Items: itemMap(s.Secret.Items)}
	case s.EmptyDir != nil:
		v := &apiv1.Volume{VolumeType: apiv1.Volume_EMPTY_DIR}
		if s.EmptyDir.SizeLimit != nil {
			v.Storage = s.EmptyDir.SizeLimit.String()
		}
		return v
	}
	return nil
}

func apiEphemeral(spec *corev1.PersistentVolumeClaimSpec) *apiv1.Volume {
	v := &apiv1.Volume{VolumeType: apiv1.Volume_EPHEMERAL,
		StorageClassName: ptr.Deref(spec.StorageClassName, "")}
	if len(spec.AccessModes) > 0 {
		v.AccessMode = keyOf(accessModes, spec.AccessModes[0])
	}
	if q, ok := spec.Resources.Requests[corev1.ResourceStorage]; ok {
		v.Storage = q.String()
	}
	return v
}

func itemMap(items []corev1.KeyToPath) map[string]string {
	if len(items) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, it := range items {
		out[it.Key] = it.Path
	}
	return out
}

// keyOf finds the key of a value in a map of enums; the zero key when the value is absent.
func keyOf[K comparable, V comparable](m map[K]V, value V) K {
	for k, v := range m {
		if v == value {
			return k
		}
	}
	var zero K
	return zero
}
