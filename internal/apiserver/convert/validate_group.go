package convert

import (
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	apiv1 "github.com/raykube/raykube/internal/apiserver/gen/raykube/apiserver/v1"
)

// validateEnv checks variable names, that no variable is given twice, and that every source
// says where its value is.
func validateEnv(path *field.Path, env *apiv1.EnvironmentVariables) field.ErrorList {
	var errs field.ErrorList
	for _, name := range slices.Sorted(maps.Keys(env.GetValues())) {
		errs = append(errs, validateEnvName(path.Child("values").Key(name), name)...)
	}
	from := env.GetValuesFrom()
	for _, name := range slices.Sorted(maps.Keys(from)) {
		p := path.Child("valuesFrom").Key(name)
		errs = append(errs, validateEnvName(p, name)...)
		if _, dup := env.GetValues()[name]; dup {
			errs = append(errs, field.Duplicate(p, name))
		}
		errs = append(errs, validateEnvSource(p, from[name])...)
	}
	return errs
}

func validateEnvName(path *field.Path, name string) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsEnvVarName(name) {
		errs = append(errs, field.Invalid(path, name, msg))
	}
	return errs
}

func validateEnvSource(path *field.Path, from *apiv1.EnvValueFrom) field.ErrorList {
	if from == nil {
		return field.ErrorList{field.Required(path, "where the value comes from")}
	}
	var errs field.ErrorList
	switch from.Source {
	case apiv1.EnvValueFrom_CONFIGMAP, apiv1.EnvValueFrom_SECRET:
		errs = append(errs, validateObjectName(path.Child("name"), from.Name,
			content.IsDNS1123Subdomain)...)
		if from.Key == "" {
			errs = append(errs, field.Required(path.Child("key"), "the key to read"))
		}
	case apiv1.EnvValueFrom_RESOURCEFIELD, apiv1.EnvValueFrom_FIELD:
		if from.Key == "" {
			errs = append(errs, field.Required(path.Child("key"),
				"the resource (such as limits.cpu) or field path (such as status.podIP)"))
		}
	default:
		errs = append(errs, ValidateEnum(path.Child("source"), from.Source)...)
	}
	return errs
}

// validateVolumes checks that each volume has a unique name, a mount path, a known type with
// the source that type needs, and known enum values.
func validateVolumes(path *field.Path, vols []*apiv1.Volume) field.ErrorList {
	var errs field.ErrorList
	names, mountPaths := map[string]bool{}, map[string]bool{}
	for i, v := range vols {
		p := path.Index(i)
		if v == nil {
			errs = append(errs, field.Required(p, "a volume must not be null"))
			continue
		}
		errs = append(errs, validateObjectName(p.Child("name"), v.Name, content.IsDNS1123Label)...)
		if names[v.Name] && v.Name != "" {
			errs = append(errs, field.Duplicate(p.Child("name"), v.Name))
		}
		names[v.Name] = true
		if v.MountPath == "" {
			errs = append(errs, field.Required(p.Child("mountPath"), ""))
		} else if mountPaths[v.MountPath] {
			errs = append(errs, field.Duplicate(p.Child("mountPath"), v.MountPath))
		}
		mountPaths[v.MountPath] = true
		errs = append(errs, validateVolumeSource(p, v)...)
	}
	return errs
}

func validateVolumeSource(p *field.Path, v *apiv1.Volume) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, ValidateEnum(p.Child("hostPathType"), v.HostPathType)...)
	errs = append(errs, ValidateEnum(p.Child("mountPropagationMode"), v.MountPropagationMode)...)
	errs = append(errs, ValidateEnum(p.Child("accessMode"), v.AccessMode)...)
	switch v.VolumeType {
	case apiv1.Volume_PERSISTENT_VOLUME_CLAIM, apiv1.Volume_CONFIGMAP, apiv1.Volume_SECRET:
		errs = append(errs, validateObjectName(p.Child("source"), v.Source,
			content.IsDNS1123Subdomain)...)
	case apiv1.Volume_HOST_PATH:
		if v.Source == "" {
			errs = append(errs, field.Required(p.Child("source"), "the path on the node"))
		}
	case apiv1.Volume_EPHEMERAL:
		if v.Storage == "" {
			errs = append(errs, field.Required(p.Child("storage"), "the size of the volume"))
		}
		errs = append(errs, validateQuantity(p.Child("storage"), v.Storage)...)
	case apiv1.Volume_EMPTY_DIR:
		errs = append(errs, validateQuantity(p.Child("storage"), v.Storage)...)
	default:
		errs = append(errs, ValidateEnum(p.Child("volumeType"), v.VolumeType)...)
	}
	for _, key := range slices.Sorted(maps.Keys(v.Items)) {
		if key == "" || v.Items[key] == "" {
			errs = append(errs, field.Invalid(p.Child("items").Key(key), v.Items[key],
				"both the key and the path must be given"))
		}
	}
	return errs
}
