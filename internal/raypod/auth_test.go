package raypod

import (
	"encoding/base64"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func withAuth(o *rayv1.AuthOptions) *rayv1.RayCluster {
	c := makeCluster("demo").withWorkers("small", 1).autoscaling().obj()
	c.Spec.AuthOptions = o
	return c
}

func tokenFrom(secret string) *corev1.EnvVarSource {
	return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: "auth_token"}}
}

// authVars returns the authentication variables of a container.
func authVars(ctr *corev1.Container) []corev1.EnvVar {
	return envNamed(ctr, AuthModeEnv, AuthTokenEnv)
}

func TestTokenAuthentication(t *testing.T) {
	cases := map[string]struct {
		options        *rayv1.AuthOptions
		wantEnv        []corev1.EnvVar
		wantGenerated  bool
		wantProbeStart string
	}{
		"no options": {
			wantProbeStart: "wget -T 2 -q -O- http://localhost:52365/",
		},
		"mode disabled": {
			options:        &rayv1.AuthOptions{Mode: rayv1.AuthModeDisabled},
			wantProbeStart: "wget -T 2 -q -O- http://localhost:52365/",
		},
		"token, generated Secret named like the cluster": {
			options: &rayv1.AuthOptions{Mode: rayv1.AuthModeToken},
			wantEnv: []corev1.EnvVar{{Name: "RAY_AUTH_MODE", Value: "token"},
				{Name: "RAY_AUTH_TOKEN", ValueFrom: tokenFrom("demo")}},
			wantGenerated: true,
			wantProbeStart: `wget -T 2 -q -O- --header="x-ray-authorization: Bearer $RAY_AUTH_TOKEN" ` +
				"http://localhost:52365/",
		},
		"no mode means token; the user's Secret": {
			options: &rayv1.AuthOptions{SecretName: ptr.To("team-token")},
			wantEnv: []corev1.EnvVar{{Name: "RAY_AUTH_MODE", Value: "token"},
				{Name: "RAY_AUTH_TOKEN", ValueFrom: tokenFrom("team-token")}},
			wantProbeStart: `wget -T 2 -q -O- --header="x-ray-authorization: Bearer $RAY_AUTH_TOKEN" ` +
				"http://localhost:52365/",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := withAuth(tc.options)
			head, err := BuildHeadPod(c, Options{})
			if err != nil {
				t.Fatal(err)
			}
			worker, err := BuildWorkerPod(c, "small", Options{})
			if err != nil {
				t.Fatal(err)
			}
			// Every process that talks to Ray: the head, the autoscaler, the worker and the
			// worker's wait for the GCS.
			containers := map[string]*corev1.Container{
				"head": &head.Spec.Containers[0], "autoscaler": &head.Spec.Containers[1],
				"worker": &worker.Spec.Containers[0], "wait-gcs-ready": &worker.Spec.InitContainers[0],
			}
			for which, ctr := range containers {
				if diff := cmp.Diff(tc.wantEnv, authVars(ctr)); diff != "" {
					t.Errorf("%s env (-want +got):\n%s", which, diff)
				}
			}
			for which, ctr := range map[string]*corev1.Container{"head": containers["head"],
				"worker": containers["worker"]} {
				probe := ctr.ReadinessProbe.Exec.Command[2]
				if len(probe) < len(tc.wantProbeStart) || probe[:len(tc.wantProbeStart)] != tc.wantProbeStart {
					t.Errorf("%s readiness probe = %q, want it to start with %q", which, probe,
						tc.wantProbeStart)
				}
			}
			if got := GeneratesAuthSecret(c); got != tc.wantGenerated {
				t.Errorf("GeneratesAuthSecret() = %v, want %v", got, tc.wantGenerated)
			}
		})
	}
}

func TestValidateAuth(t *testing.T) {
	cases := map[string]struct {
		options *rayv1.AuthOptions
		want    []string
	}{
		"token with a Secret":    {options: &rayv1.AuthOptions{SecretName: ptr.To("s")}},
		"disabled, nothing else": {options: &rayv1.AuthOptions{Mode: rayv1.AuthModeDisabled}},
		"disabled with token settings": {
			options: &rayv1.AuthOptions{Mode: rayv1.AuthModeDisabled,
				EnableK8sTokenAuth: ptr.To(true), SecretName: ptr.To("s")},
			want: []string{
				"spec.authOptions.enableK8sTokenAuth: Forbidden: needs mode token; mode is disabled",
				"spec.authOptions.secretName: Forbidden: needs mode token; mode is disabled",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, e := range unwrapJoined(ValidateSpec(withAuth(tc.options))) {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ValidateSpec() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildAuthSecret(t *testing.T) {
	c := withAuth(&rayv1.AuthOptions{Mode: rayv1.AuthModeToken})
	a, err := BuildAuthSecret(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildAuthSecret(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "demo" || a.Namespace != "ns" || a.Labels[ClusterLabel] != "demo" {
		t.Errorf("Secret %s/%s labels %v, want ns/demo labelled with the cluster", a.Namespace,
			a.Name, a.Labels)
	}
	if diff := cmp.Diff(wantOwner(), a.OwnerReferences); diff != "" {
		t.Errorf("owner (-want +got):\n%s", diff)
	}
	token, err := base64.RawURLEncoding.DecodeString(a.StringData["auth_token"])
	if err != nil || len(token) != 32 {
		t.Errorf("token %q: %d random bytes (%v), want 32", a.StringData["auth_token"], len(token), err)
	}
	if a.StringData["auth_token"] == b.StringData["auth_token"] {
		t.Errorf("two Secrets got the same token %q", a.StringData["auth_token"])
	}
}
