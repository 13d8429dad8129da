package kubectlray

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
	"k8s.io/streaming/pkg/httpstream"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rayv1 "github.com/raykube/raykube/api/ray/v1"
	"github.com/raykube/raykube/internal/raypod"
)

// sessionPort is a port of the head that `session` forwards.
type sessionPort struct {
	name string
	port int32
	// url is how a person reaches the forwarded port, with %d for the port.
	url string
}

// sessionPorts are the ports `session` forwards, with the port the head listens on when its
// Ray container does not name it.
var sessionPorts = []sessionPort{
	{name: "dashboard", port: 8265, url: "http://localhost:%d"},
	{name: "client", port: 10001, url: "ray://localhost:%d"},
	{name: "serve", port: 8000, url: "http://localhost:%d"},
}

// newSessionCommand returns `kubectl ray session`.
func newSessionCommand(o *Options) *cobra.Command {
	var address string
	cmd := &cobra.Command{
		Use:   "session NAME",
		Short: "Forward the dashboard, client and serve ports of a cluster's head here",
		Long: "Forward the Ray dashboard (8265), Ray client (10001) and Ray Serve (8000) " +
			"ports of the cluster's head pod to the same ports on this machine, until interrupted " +
			"(Ctrl-C).\nThe ports are forwarded through the Kubernetes API server to the head " +
			"pod found at the start; when that pod is replaced, run the command again.",
		Example: "  kubectl ray session demo",
		Args:    cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&address, "address", "localhost",
		"Local addresses to listen on, comma-separated")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, rc, err := o.readCluster(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		head, err := runningHead(cmd.Context(), c, rc)
		if err != nil {
			return err
		}
		cfg, err := o.restConfig()
		if err != nil {
			return err
		}
		return forwardPorts(cmd.Context(), o, cfg, head, strings.Split(address, ","))
	}
	return cmd
}

// runningHead returns the running head pod of rc.
func runningHead(ctx context.Context, c client.Client, rc *rayv1.RayCluster) (*corev1.Pod, error) {
	var pods corev1.PodList
	err := c.List(ctx, &pods, client.InNamespace(rc.Namespace), client.MatchingLabels{
		raypod.ClusterLabel: rc.Name, raypod.NodeTypeLabel: raypod.HeadNodeType})
	if err != nil {
		return nil, fmt.Errorf("listing the head pod of RayCluster %q: %w", rc.Name, err)
	}
	for i := range pods.Items {
		if p := &pods.Items[i]; p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
			return p, nil
		}
	}
	return nil, fmt.Errorf("RayCluster %q in namespace %q has no running head pod (state %s)",
		rc.Name, rc.Namespace, clusterState(&rc.Status))
}

// headPorts is what to forward to head: each session port at the number its Ray container
// gives that port's name, else the usual number, in kubectl's "local:remote" form.
func headPorts(head *corev1.Pod) (forwards []string, urls []string) {
	for _, sp := range sessionPorts {
		port := sp.port
		if len(head.Spec.Containers) > 0 {
			for _, p := range head.Spec.Containers[0].Ports {
				if p.Name == sp.name {
					port = p.ContainerPort
				}
			}
		}
		forwards = append(forwards, fmt.Sprintf("%d:%d", port, port))
		urls = append(urls, fmt.Sprintf("%-10s "+sp.url, sp.name, port))
	}
	return forwards, urls
}

// forwardPorts forwards the session ports of head until ctx ends. Like kubectl port-forward, it
// tunnels over a WebSocket and falls back to SPDY for API servers that cannot upgrade to one.
func forwardPorts(ctx context.Context, o *Options, cfg *rest.Config, head *corev1.Pod,
	addresses []string) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	url := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace(head.Namespace).
		Name(head.Name).SubResource("portforward").URL()
	transport, upgrader, err := spdy.RoundTripperFor(cfg)
	if err != nil {
		return err
	}
	spdyDialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, url)
	wsDialer, err := portforward.NewSPDYOverWebsocketDialer(url, cfg)
	if err != nil {
		return err
	}
	dialer := portforward.NewFallbackDialer(wsDialer, spdyDialer, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})

	forwards, urls := headPorts(head)
	ready := make(chan struct{})
	fw, err := portforward.NewOnAddressesWithContext(ctx, dialer, addresses, forwards, ready,
		io.Discard, o.IOStreams.ErrOut)
	if err != nil {
		return err
	}
	go func() {
		<-ready
		o.printf("Forwarding to head pod %s of RayCluster %q:\n  %s\nPress Ctrl-C to stop.\n",
			head.Name, head.Labels[raypod.ClusterLabel], strings.Join(urls, "\n  "))
	}()
	if err := fw.ForwardPorts(); err != nil {
		return fmt.Errorf("forwarding ports to pod %s: %w", head.Name, err)
	}
	return nil
}
