package raypod

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

// Token authentication (spec.authOptions, mode token) makes every Ray API and internal call
// present a shared token. The token comes from a Secret: the one authOptions.secretName names,
// which the user manages, or one the operator generates for the cluster, named like it and owned
// by it.
const (
	// AuthModeEnv switches Ray's authentication on.
	AuthModeEnv = "RAY_AUTH_MODE"
	// AuthTokenEnv holds the token in every Ray container.
	AuthTokenEnv = "RAY_AUTH_TOKEN"
	// AuthTokenKey is the key of the token in the Secret.
	AuthTokenKey = "auth_token"

	// authTokenBytes is the entropy of a generated token.
	authTokenBytes = 32
)

// TokenAuthEnabled reports whether the cluster asks for token authentication: authOptions set
// with mode token or no mode.
func TokenAuthEnabled(c *rayv1.RayCluster) bool {
	o := c.Spec.AuthOptions
	return o != nil && (o.Mode == "" || o.Mode == rayv1.AuthModeToken)
}

// AuthSecretName is the Secret that holds the cluster's token.
func AuthSecretName(c *rayv1.RayCluster) string {
	if o := c.Spec.AuthOptions; o != nil && o.SecretName != nil && *o.SecretName != "" {
		return *o.SecretName
	}
	return c.Name
}

// GeneratesAuthSecret reports whether the operator creates the token Secret: token
// authentication without a Secret of the user's.
func GeneratesAuthSecret(c *rayv1.RayCluster) bool {
	o := c.Spec.AuthOptions
	return TokenAuthEnabled(c) && (o.SecretName == nil || *o.SecretName == "")
}

// BuildAuthSecret builds the generated token Secret with a new random token. The operator
// creates it once; an existing Secret keeps its token.
func BuildAuthSecret(c *rayv1.RayCluster, opts Options) (*corev1.Secret, error) {
	token := make([]byte, authTokenBytes)
	if _, err := rand.Read(token); err != nil {
		return nil, fmt.Errorf("generating the Ray token: %w", err)
	}
	return &corev1.Secret{
		ObjectMeta: ownedMeta(c, AuthSecretName(c), objectLabels(c, opts, "")),
		Type:       corev1.SecretTypeOpaque,
		StringData: map[string]string{AuthTokenKey: base64.RawURLEncoding.EncodeToString(token)},
	}, nil
}

// validateAuth refuses authentication options that contradict each other: Kubernetes token
// checks, or a token Secret, with authentication disabled.
func validateAuth(c *rayv1.RayCluster) field.ErrorList {
	o := c.Spec.AuthOptions
	if o == nil || o.Mode != rayv1.AuthModeDisabled {
		return nil
	}
	path := field.NewPath("spec", "authOptions")
	var errs field.ErrorList
	if o.EnableK8sTokenAuth != nil && *o.EnableK8sTokenAuth {
		errs = append(errs, field.Forbidden(path.Child("enableK8sTokenAuth"),
			"needs mode token; mode is disabled"))
	}
	if o.SecretName != nil && *o.SecretName != "" {
		errs = append(errs, field.Forbidden(path.Child("secretName"),
			"needs mode token; mode is disabled"))
	}
	return errs
}

// authEnv are the variables that make a Ray process use the cluster's token.
func authEnv(c *rayv1.RayCluster) []corev1.EnvVar {
	if !TokenAuthEnabled(c) {
		return nil
	}
	return []corev1.EnvVar{
		{Name: AuthModeEnv, Value: string(rayv1.AuthModeToken)},
		{Name: AuthTokenEnv, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: AuthSecretName(c)},
			Key:                  AuthTokenKey,
		}}},
	}
}
