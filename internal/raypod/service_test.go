package raypod

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
)

func svcPort(name string, port int32) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Protocol: corev1.ProtocolTCP, Port: port,
		TargetPort: intstr.FromInt32(port)}
}

func headSvcLabels() map[string]string {
	return map[string]string{
		ClusterLabel: "demo", NodeTypeLabel: "head", IdentifierLabel: "demo-head",
		AppNameLabel: "kuberay", CreatedByLabel: "kuberay-operator",
	}
}

func TestBuildHeadService(t *testing.T) {
	defaultPorts := []corev1.ServicePort{svcPort("client", 10001), svcPort("gcs-server", 6379),
		svcPort("dashboard", 8265), svcPort("metrics", 8080), svcPort("serve", 8000)}
	cases := map[string]struct {
		cluster *rayv1.RayCluster
		want    *corev1.Service
	}{
		"container without ports gets the defaults": {
			cluster: makeCluster("demo").obj(),
			want: &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: "demo-head-svc", Namespace: "ns",
					Labels: headSvcLabels(), OwnerReferences: wantOwner()},
				Spec: corev1.ServiceSpec{
					Type:     corev1.ServiceTypeClusterIP,
					Selector: map[string]string{ClusterLabel: "demo", NodeTypeLabel: "head"},
					Ports:    defaultPorts,
				},
			},
		},
		"unnamed container ports are named <port>-port, metrics added (known case 6)": {
			cluster: makeCluster("demo").withHeadContainer(func(ctr *corev1.Container) {
				ctr.Ports = []corev1.ContainerPort{{ContainerPort: 10001}, {ContainerPort: 8265},
					{ContainerPort: 6379}}
			}).withHead(func(h *rayv1.HeadGroupSpec) { h.ServiceType = corev1.ServiceTypeNodePort }).
				obj(),
			want: &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: "demo-head-svc", Namespace: "ns",
					Labels: headSvcLabels(), OwnerReferences: wantOwner()},
				Spec: corev1.ServiceSpec{
					Type:     corev1.ServiceTypeNodePort,
					Selector: map[string]string{ClusterLabel: "demo", NodeTypeLabel: "head"},
					Ports: []corev1.ServicePort{svcPort("10001-port", 10001),
						svcPort("8265-port", 8265), svcPort("6379-port", 6379), svcPort("metrics", 8080)},
				},
			},
		},
		"head service annotations": {
			cluster: func() *rayv1.RayCluster {
				c := makeCluster("demo").obj()
				c.Spec.HeadServiceAnnotations = pairs("lb", "internal")
				return c
			}(),
			want: &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: "demo-head-svc", Namespace: "ns",
					Labels: headSvcLabels(), Annotations: pairs("lb", "internal"),
					OwnerReferences: wantOwner()},
				Spec: corev1.ServiceSpec{
					Type:     corev1.ServiceTypeClusterIP,
					Selector: map[string]string{ClusterLabel: "demo", NodeTypeLabel: "head"},
					Ports:    defaultPorts,
				},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := BuildHeadService(tc.cluster, Options{})
			if err != nil {
				t.Fatalf("BuildHeadService() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("BuildHeadService() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildHeadServiceFromUserService(t *testing.T) {
	user := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{
			Name:            "my-head",
			Namespace:       "elsewhere",
			ResourceVersion: "42",
			Labels:          pairs("team", "ml", ClusterLabel, "other", IdentifierLabel, "mine"),
			Annotations:     pairs("a", "user", "b", "user"),
		},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeLoadBalancer,
			Selector: pairs("app", "wrong"),
			Ports: []corev1.ServicePort{
				{Name: "dashboard", Port: 80, TargetPort: intstr.FromInt32(8265)},
				{Name: "grpc", Port: 6379},
			},
			LoadBalancerSourceRanges: []string{"10.0.0.0/8"},
		},
	}
	cases := map[string]struct {
		serviceType corev1.ServiceType
		wantType    corev1.ServiceType
	}{
		"the user's type when serviceType is unset": {
			wantType: corev1.ServiceTypeLoadBalancer,
		},
		"serviceType wins": {
			serviceType: corev1.ServiceTypeNodePort,
			wantType:    corev1.ServiceTypeNodePort,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := makeCluster("demo").withHead(func(h *rayv1.HeadGroupSpec) {
				h.HeadService = user.DeepCopy()
				h.ServiceType = tc.serviceType
			}).obj()
			c.Spec.HeadServiceAnnotations = pairs("b", "cluster")
			want := &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{
					Name:      "my-head",
					Namespace: "ns",
					Labels: map[string]string{
						ClusterLabel: "demo", NodeTypeLabel: "head", IdentifierLabel: "mine",
						AppNameLabel: "kuberay", CreatedByLabel: "kuberay-operator", "team": "ml",
					},
					Annotations:     pairs("a", "user", "b", "cluster"),
					OwnerReferences: wantOwner(),
				},
				Spec: corev1.ServiceSpec{
					Type:     tc.wantType,
					Selector: map[string]string{ClusterLabel: "demo", NodeTypeLabel: "head"},
					// dashboard is kept as the user wrote it; the default gcs-server port is
					// not added because 6379 is taken, by another name.
					Ports: []corev1.ServicePort{
						{Name: "dashboard", Port: 80, TargetPort: intstr.FromInt32(8265)},
						{Name: "grpc", Port: 6379},
						svcPort("client", 10001), svcPort("metrics", 8080), svcPort("serve", 8000),
					},
					LoadBalancerSourceRanges: []string{"10.0.0.0/8"},
				},
			}
			got, err := BuildHeadService(c, Options{})
			if err != nil {
				t.Fatalf("BuildHeadService() error = %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("BuildHeadService() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildHeadlessService(t *testing.T) {
	want := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{
			Name:      "demo-headless",
			Namespace: "ns",
			Labels: map[string]string{ClusterLabel: "demo", NodeTypeLabel: "worker",
				IdentifierLabel: "demo-worker", AppNameLabel: "kuberay", CreatedByLabel: "op"},
			OwnerReferences: wantOwner(),
		},
		Spec: corev1.ServiceSpec{
			ClusterIP:                "None",
			Selector:                 map[string]string{ClusterLabel: "demo", NodeTypeLabel: "worker"},
			PublishNotReadyAddresses: true,
		},
	}
	got := BuildHeadlessService(makeCluster("demo").obj(), Options{OperatorName: "op"})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BuildHeadlessService() mismatch (-want +got):\n%s", diff)
	}
}

func TestBuildServeService(t *testing.T) {
	cases := map[string]struct {
		cluster  *rayv1.RayCluster
		wantPort int32
	}{
		"default port": {
			cluster:  makeCluster("demo").obj(),
			wantPort: 8000,
		},
		"the head's serve port": {
			cluster: makeCluster("demo").withHeadContainer(func(ctr *corev1.Container) {
				ctr.Ports = []corev1.ContainerPort{{Name: "serve", ContainerPort: 9000}}
			}).obj(),
			wantPort: 9000,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			want := &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{
					Name:      "demo-serve-svc",
					Namespace: "ns",
					Labels: map[string]string{ClusterLabel: "demo", AppNameLabel: "kuberay",
						CreatedByLabel: "kuberay-operator"},
					OwnerReferences: wantOwner(),
				},
				Spec: corev1.ServiceSpec{
					Type:     corev1.ServiceTypeClusterIP,
					Selector: map[string]string{ClusterLabel: "demo", ServeLabel: "true"},
					Ports:    []corev1.ServicePort{svcPort("serve", tc.wantPort)},
				},
			}
			if diff := cmp.Diff(want, BuildServeService(tc.cluster, Options{})); diff != "" {
				t.Errorf("BuildServeService() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
