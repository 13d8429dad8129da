package helm

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// The objects each install creates, as objectKey names them.
func TestRenderObjects(t *testing.T) {
	operator := []string{
		"ServiceAccount raykube-system/raykube-operator",
		"Deployment raykube-system/raykube-operator",
	}
	clusterWide := []string{
		"ClusterRole raykube-operator",
		"ClusterRoleBinding raykube-operator",
	}
	metricsService := []string{"Service raykube-system/raykube-operator"}
	leaderElection := []string{
		"Role raykube-system/raykube-operator-leader-election",
		"RoleBinding raykube-system/raykube-operator-leader-election",
	}
	apiserver := []string{
		"ServiceAccount raykube-system/raykube-operator-apiserver",
		"ClusterRole raykube-operator-apiserver",
		"ClusterRoleBinding raykube-operator-apiserver",
		"Service raykube-system/raykube-operator-apiserver",
		"Deployment raykube-system/raykube-operator-apiserver",
	}
	join := func(lists ...[]string) []string {
		var out []string
		for _, l := range lists {
			out = append(out, l...)
		}
		return out
	}
	tests := map[string][]string{
		"defaults":  join(operator, clusterWide, metricsService, leaderElection),
		"apiserver": join(operator, clusterWide, metricsService, leaderElection, apiserver),
		"apiserver-no-auth": join(operator, clusterWide, metricsService, leaderElection,
			apiserver),
		"single-namespace": join(operator, metricsService, leaderElection, []string{
			"Role raykube-system/raykube-operator",
			"RoleBinding raykube-system/raykube-operator",
		}),
		"watch-namespaces": join(operator, metricsService, leaderElection, []string{
			"Role team-a/raykube-operator",
			"RoleBinding team-a/raykube-operator",
			"Role team-b/raykube-operator",
			"RoleBinding team-b/raykube-operator",
		}),
		"custom-image": join(clusterWide, metricsService, leaderElection, []string{
			"ServiceAccount raykube-system/ray-operator",
			"Deployment raykube-system/raykube-operator",
		}),
		"servicemonitor": join(operator, clusterWide, metricsService, leaderElection, apiserver, []string{
			"ServiceMonitor raykube-system/raykube-operator",
			"ServiceMonitor raykube-system/raykube-operator-apiserver",
		}),
		"metrics-off": join(operator, clusterWide),
	}
	for name, vs := range valueSets {
		t.Run(name, func(t *testing.T) {
			want, ok := tests[name]
			if !ok {
				t.Fatalf("no expected objects for value set %q", name)
			}
			got := keys(decodeManifest(t, mustRender(t, vs).Manifest))
			sort.Strings(want)
			sort.Strings(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
		})
	}
}

// labels are the labels of the operator's objects in a default install.
func labels(component string) map[string]string {
	return map[string]string{
		"helm.sh/chart":                "raykube-operator-0.1.0",
		"app.kubernetes.io/part-of":    "raykube",
		"app.kubernetes.io/version":    "0.1.0",
		"app.kubernetes.io/managed-by": "Helm",
		"app.kubernetes.io/name":       "raykube-operator",
		"app.kubernetes.io/instance":   "raykube-operator",
		"app.kubernetes.io/component":  component,
	}
}

// restrictedPod and restrictedContainer are the default security contexts: the Pod Security
// Standard "restricted".
func restrictedPod() *corev1.PodSecurityContext {
	return &corev1.PodSecurityContext{
		RunAsNonRoot:   ptr.To(true),
		RunAsUser:      ptr.To[int64](65532),
		RunAsGroup:     ptr.To[int64](65532),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

func restrictedContainer() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

func defaultResources() corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("100m"),
			corev1.ResourceMemory: resource.MustParse("128Mi"),
		},
		Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")},
	}
}

func httpProbe(path, port string, initialDelay, period int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: path, Port: intstr.FromString(port)}},
		InitialDelaySeconds: initialDelay,
		PeriodSeconds:       period,
	}
}

// deployment builds the Deployment the chart should render, for exact comparison.
func deployment(name, component string, replicas int32, sa string, c corev1.Container) *appsv1.Deployment {
	selector := map[string]string{
		"app.kubernetes.io/name":      "raykube-operator",
		"app.kubernetes.io/instance":  "raykube-operator",
		"app.kubernetes.io/component": component,
	}
	return &appsv1.Deployment{
		TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: releaseNamespace,
			Labels: labels(component)},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels(component)},
				Spec: corev1.PodSpec{
					ServiceAccountName:            sa,
					SecurityContext:               restrictedPod(),
					TerminationGracePeriodSeconds: ptr.To[int64](10),
					Containers:                    []corev1.Container{c},
				},
			},
		},
	}
}

// operatorContainer builds the operator container the chart should render with metrics and
// probes on their default ports.
func operatorContainer(image string, pull corev1.PullPolicy, res corev1.ResourceRequirements,
	args ...string) corev1.Container {
	return corev1.Container{
		Name:            "operator",
		Image:           image,
		ImagePullPolicy: pull,
		Command:         []string{"/raykube-operator"},
		Args:            args,
		Ports: []corev1.ContainerPort{
			{Name: "metrics", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
			{Name: "probes", ContainerPort: 8082, Protocol: corev1.ProtocolTCP},
		},
		LivenessProbe:   httpProbe("/healthz", "probes", 10, 10),
		ReadinessProbe:  httpProbe("/readyz", "probes", 0, 5),
		Resources:       res,
		SecurityContext: restrictedContainer(),
	}
}

func TestRenderDefaultOperatorDeployment(t *testing.T) {
	objs := decodeManifest(t, mustRender(t, valueSets["defaults"]).Manifest)
	var got appsv1.Deployment
	typed(t, find(t, objs, "Deployment raykube-system/raykube-operator"), &got)

	want := deployment("raykube-operator", "operator", 1, "raykube-operator", operatorContainer(
		"raykube:0.1.0", corev1.PullIfNotPresent, defaultResources(),
		"--leader-elect=true",
		"--metrics-bind-address=:8080",
		"--health-probe-bind-address=:8082",
		"--reconcile-concurrency=10",
		"--kube-api-qps=100",
		"--kube-api-burst=200",
		"--log-format=json",
		"--v=0",
	))
	if diff := cmp.Diff(want, &got); diff != "" {
		t.Errorf("operator Deployment (-want +got):\n%s", diff)
	}
}

func TestRenderAPIServerDeployment(t *testing.T) {
	objs := decodeManifest(t, mustRender(t, valueSets["apiserver"]).Manifest)
	var got appsv1.Deployment
	typed(t, find(t, objs, "Deployment raykube-system/raykube-operator-apiserver"), &got)

	want := deployment("raykube-operator-apiserver", "apiserver", 1, "raykube-operator-apiserver",
		corev1.Container{
			Name:            "apiserver",
			Image:           "raykube:0.1.0",
			ImagePullPolicy: corev1.PullIfNotPresent,
			Command:         []string{"/raykube-apiserver"},
			Args: []string{
				"--http-addr=:8888",
				"--grpc-addr=:8887",
				"--auth=kubernetes",
				"--log-format=json",
				"--v=0",
			},
			Ports: []corev1.ContainerPort{
				{Name: "http", ContainerPort: 8888, Protocol: corev1.ProtocolTCP},
				{Name: "grpc", ContainerPort: 8887, Protocol: corev1.ProtocolTCP},
			},
			LivenessProbe:   httpProbe("/healthz", "http", 5, 10),
			ReadinessProbe:  httpProbe("/healthz", "http", 0, 5),
			Resources:       defaultResources(),
			SecurityContext: restrictedContainer(),
		})
	if diff := cmp.Diff(want, &got); diff != "" {
		t.Errorf("API server Deployment (-want +got):\n%s", diff)
	}

	checkAPIServerService(t, objs, corev1.ServiceTypeNodePort, []corev1.ServicePort{
		{Name: "http", Port: 8888, TargetPort: intstr.FromString("http"),
			Protocol: corev1.ProtocolTCP, NodePort: 31888},
		{Name: "grpc", Port: 8887, TargetPort: intstr.FromString("grpc"),
			Protocol: corev1.ProtocolTCP, NodePort: 31887},
	})
}

// checkAPIServerService compares the type and ports of the rendered API server Service.
func checkAPIServerService(t *testing.T, objs []*unstructured.Unstructured, wantType corev1.ServiceType,
	wantPorts []corev1.ServicePort) {
	t.Helper()
	var svc corev1.Service
	typed(t, find(t, objs, "Service raykube-system/raykube-operator-apiserver"), &svc)
	if svc.Spec.Type != wantType {
		t.Errorf("API server Service type %q, want %q", svc.Spec.Type, wantType)
	}
	if diff := cmp.Diff(wantPorts, svc.Spec.Ports); diff != "" {
		t.Errorf("API server Service ports (-want +got):\n%s", diff)
	}
}

func TestRenderAPIServerWithoutAuth(t *testing.T) {
	objs := decodeManifest(t, mustRender(t, valueSets["apiserver-no-auth"]).Manifest)
	var dep appsv1.Deployment
	typed(t, find(t, objs, "Deployment raykube-system/raykube-operator-apiserver"), &dep)
	wantArgs := []string{"--http-addr=:18888", "--grpc-addr=:18887", "--auth=none",
		"--allow-insecure-remote", "--log-format=json", "--v=0"}
	if diff := cmp.Diff(wantArgs, dep.Spec.Template.Spec.Containers[0].Args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}

	checkAPIServerService(t, objs, corev1.ServiceTypeClusterIP, []corev1.ServicePort{
		{Name: "http", Port: 18888, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP},
		{Name: "grpc", Port: 18887, TargetPort: intstr.FromString("grpc"), Protocol: corev1.ProtocolTCP},
	})
}

func TestRenderCustomImageAndScheduling(t *testing.T) {
	objs := decodeManifest(t, mustRender(t, valueSets["custom-image"]).Manifest)
	var got appsv1.Deployment
	typed(t, find(t, objs, "Deployment raykube-system/raykube-operator"), &got)

	want := deployment("raykube-operator", "operator", 2, "ray-operator", operatorContainer(
		"registry.example.com/ray/raykube:v9.9.9", corev1.PullAlways,
		corev1.ResourceRequirements{
			Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("250m"),
				corev1.ResourceMemory: resource.MustParse("256Mi"),
			},
			Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")},
		},
		"--leader-elect=true",
		"--metrics-bind-address=:8080",
		"--health-probe-bind-address=:8082",
		"--reconcile-concurrency=4",
		"--kube-api-qps=20",
		"--kube-api-burst=40",
		"--log-format=console",
		"--v=2",
		"--cluster-domain=cluster.example",
		"--pod-create-concurrency=5",
	))
	spec := &want.Spec.Template.Spec
	spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "registry-credentials"}}
	spec.PriorityClassName = "system-cluster-critical"
	spec.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
	spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual,
		Value: "ray", Effect: corev1.TaintEffectNoSchedule}}
	spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{
				Key: "kubernetes.io/arch", Operator: corev1.NodeSelectorOpIn, Values: []string{"amd64", "arm64"},
			}}}},
		},
	}}
	if diff := cmp.Diff(want, &got); diff != "" {
		t.Errorf("operator Deployment (-want +got):\n%s", diff)
	}

	// The API server runs from the same image unless told otherwise.
	withAPIServer := valueSets["custom-image"]
	withAPIServer.values += "apiserver: {enabled: true}\n"
	var apiserver appsv1.Deployment
	typed(t, find(t, decodeManifest(t, mustRender(t, withAPIServer).Manifest),
		"Deployment raykube-system/raykube-operator-apiserver"), &apiserver)
	c := apiserver.Spec.Template.Spec.Containers[0]
	if c.Image != "registry.example.com/ray/raykube:v9.9.9" || c.ImagePullPolicy != corev1.PullAlways {
		t.Errorf("API server image %q, pull policy %q; want the operator's", c.Image, c.ImagePullPolicy)
	}
	if diff := cmp.Diff(spec.ImagePullSecrets, apiserver.Spec.Template.Spec.ImagePullSecrets); diff != "" {
		t.Errorf("API server pull secrets (-want +got):\n%s", diff)
	}

	var binding rbacv1.ClusterRoleBinding
	typed(t, find(t, objs, "ClusterRoleBinding raykube-operator"), &binding)
	wantSubjects := []rbacv1.Subject{{Kind: "ServiceAccount", Name: "ray-operator",
		Namespace: releaseNamespace}}
	if diff := cmp.Diff(wantSubjects, binding.Subjects); diff != "" {
		t.Errorf("ClusterRoleBinding subjects (-want +got):\n%s", diff)
	}
}

func TestRenderWatchNamespaces(t *testing.T) {
	tests := map[string]struct {
		set       string
		wantArg   string
		wantRoles []string // namespaces with the operator's Role and a RoleBinding to it
	}{
		"single namespace": {set: "single-namespace", wantArg: "--watch-namespaces=raykube-system",
			wantRoles: []string{"raykube-system"}},
		"list": {set: "watch-namespaces", wantArg: "--watch-namespaces=team-a,team-b",
			wantRoles: []string{"team-a", "team-b"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			objs := decodeManifest(t, mustRender(t, valueSets[tc.set]).Manifest)
			var dep appsv1.Deployment
			typed(t, find(t, objs, "Deployment raykube-system/raykube-operator"), &dep)
			if args := dep.Spec.Template.Spec.Containers[0].Args; !slices.Contains(args, tc.wantArg) {
				t.Errorf("args %q do not contain %q", args, tc.wantArg)
			}
			for _, ns := range tc.wantRoles {
				var binding rbacv1.RoleBinding
				typed(t, find(t, objs, "RoleBinding "+ns+"/raykube-operator"), &binding)
				wantRef := rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role",
					Name: "raykube-operator"}
				wantSubjects := []rbacv1.Subject{{Kind: "ServiceAccount", Name: "raykube-operator",
					Namespace: releaseNamespace}}
				if diff := cmp.Diff(wantRef, binding.RoleRef); diff != "" {
					t.Errorf("%s roleRef (-want +got):\n%s", ns, diff)
				}
				if diff := cmp.Diff(wantSubjects, binding.Subjects); diff != "" {
					t.Errorf("%s subjects (-want +got):\n%s", ns, diff)
				}
			}
		})
	}
}

func TestRenderServiceMonitors(t *testing.T) {
	objs := decodeManifest(t, mustRender(t, valueSets["servicemonitor"]).Manifest)
	operator := find(t, objs, "ServiceMonitor raykube-system/raykube-operator")
	wantSpec := map[string]any{
		"selector": map[string]any{"matchLabels": map[string]any{
			"app.kubernetes.io/name":      "raykube-operator",
			"app.kubernetes.io/instance":  "raykube-operator",
			"app.kubernetes.io/component": "operator",
		}},
		"namespaceSelector": map[string]any{"matchNames": []any{releaseNamespace}},
		"endpoints": []any{map[string]any{
			"port": "metrics", "path": "/metrics", "interval": "30s", "honorLabels": true,
		}},
	}
	if diff := cmp.Diff(wantSpec, operator.Object["spec"]); diff != "" {
		t.Errorf("operator ServiceMonitor spec (-want +got):\n%s", diff)
	}
	if got := operator.GetLabels()["release"]; got != "kube-prometheus-stack" {
		t.Errorf("operator ServiceMonitor label release=%q, want kube-prometheus-stack", got)
	}
	apiserver := find(t, objs, "ServiceMonitor raykube-system/raykube-operator-apiserver")
	wantEndpoints := []any{map[string]any{"port": "http", "path": "/metrics", "interval": "30s"}}
	if diff := cmp.Diff(wantEndpoints, apiserver.Object["spec"].(map[string]any)["endpoints"]); diff != "" {
		t.Errorf("API server ServiceMonitor endpoints (-want +got):\n%s", diff)
	}

	// The operator Service the monitor selects carries the selected labels and the port name.
	var svc corev1.Service
	typed(t, find(t, objs, "Service raykube-system/raykube-operator"), &svc)
	for k, v := range wantSpec["selector"].(map[string]any)["matchLabels"].(map[string]any) {
		if svc.Labels[k] != v {
			t.Errorf("operator Service label %s=%q, the ServiceMonitor selects %q", k, svc.Labels[k], v)
		}
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != "metrics" {
		t.Errorf("operator Service ports %v, want one named metrics", svc.Spec.Ports)
	}

	// Without the Prometheus Operator's API the monitors are left out, and the notes say so.
	without := valueSets["servicemonitor"]
	without.apiVersions = nil
	rel := mustRender(t, without)
	for _, key := range keys(decodeManifest(t, rel.Manifest)) {
		if strings.HasPrefix(key, "ServiceMonitor ") {
			t.Errorf("rendered %s although the cluster has no ServiceMonitor API", key)
		}
	}
	if !strings.Contains(rel.Info.Notes, "No ServiceMonitor was created") {
		t.Errorf("notes do not say the ServiceMonitors were left out:\n%s", rel.Info.Notes)
	}
}

// Values that cannot work are refused at render time with a message naming them.
func TestRenderRefuses(t *testing.T) {
	tests := map[string]struct {
		values  string
		wantErr string
	}{
		"two active operators": {values: "replicas: 2\nleaderElectionEnabled: false",
			wantErr: "replicas > 1 needs leaderElectionEnabled"},
		"both namespace settings": {values: "singleNamespaceInstall: true\nwatchNamespace: [a]",
			wantErr: "singleNamespaceInstall and watchNamespace cannot both be set"},
		"API server open to anyone": {values: "apiserver: {enabled: true, auth: none}",
			wantErr: "apiserver.allowInsecureRemote=true"},
		"unknown auth mode": {values: "apiserver: {enabled: true, auth: token}",
			wantErr: `apiserver.auth must be kubernetes or none, not "token"`},
		"unknown log format": {values: "logging: {format: xml}",
			wantErr: `logging.format must be json or console, not "xml"`},
		"negative verbosity": {values: "logging: {verbosity: -1}",
			wantErr: `logging.verbosity must be a whole number, 0 or more, not "-1"`},
		"no service account name": {values: "serviceAccount: {create: false}",
			wantErr: "serviceAccount.name is required"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := render(t, valueSet{values: tc.values})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// crdUpgradeApply is how the install notes and docs/helm.md say to apply a newer chart's CRD
// (after `helm show crds <chart> |`): server-side, because the CRD is too big for a
// client-side apply's annotation, and forcing the conflicts with the fields Helm's create
// wrote. TestInstallUpgradeUninstall runs it against a CRD Helm created.
var crdUpgradeApply = []string{"kubectl", "apply", "--server-side", "--force-conflicts", "-f", "-"}

// upgradeCRDArgs are kubectl's arguments of crdUpgradeApply for the CRD in file path.
func upgradeCRDArgs(path string) []string {
	args := slices.Clone(crdUpgradeApply[1:])
	args[len(args)-1] = path
	return args
}

// The notes and docs/helm.md give the same command for a CRD upgrade.
func TestCRDUpgradeCommandAgrees(t *testing.T) {
	want := "helm show crds <chart> | " + strings.Join(crdUpgradeApply, " ")
	if notes := mustRender(t, valueSets["defaults"]).Info.Notes; !strings.Contains(notes, want) {
		t.Errorf("the notes do not say %q:\n%s", want, notes)
	}
	want = "helm show crds charts/raykube-operator | " + strings.Join(crdUpgradeApply, " ")
	if doc := string(readRepoFile(t, "docs", "helm.md")); !strings.Contains(doc, want) {
		t.Errorf("docs/helm.md does not say %q", want)
	}
}
