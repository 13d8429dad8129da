package localenv

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestGeneratePKI(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := generatePKI(dir, apiServiceIP, now); err != nil {
		t.Fatal(err)
	}
	ca := readCert(t, filepath.Join(dir, "ca.crt"))
	if !ca.IsCA {
		t.Error("ca.crt is not a CA")
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)

	tests := map[string]struct {
		usage     x509.ExtKeyUsage
		cn        string
		groups    []string
		dnsNames  []string
		ips       []string
		keyPerm   os.FileMode
		verifyFor string
	}{
		"apiserver": {
			usage: x509.ExtKeyUsageServerAuth, cn: "kube-apiserver",
			dnsNames: []string{"localhost", "kubernetes", "kubernetes.default",
				"kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
			ips:       []string{"10.96.0.1", "127.0.0.1", "::1"},
			verifyFor: "kubernetes.default.svc",
		},
		"serving": {
			usage: x509.ExtKeyUsageServerAuth, cn: "raykube-local-serving",
			dnsNames: []string{"localhost"}, ips: []string{"127.0.0.1", "::1"},
			verifyFor: "127.0.0.1",
		},
		"admin": {usage: x509.ExtKeyUsageClientAuth, cn: "raykube-admin",
			groups: []string{"system:masters"}},
		"kube-controller-manager": {usage: x509.ExtKeyUsageClientAuth,
			cn: "system:kube-controller-manager"},
		"kube-scheduler": {usage: x509.ExtKeyUsageClientAuth, cn: "system:kube-scheduler"},
		"kwok": {usage: x509.ExtKeyUsageClientAuth, cn: "raykube-kwok",
			groups: []string{"system:masters"}},
		"operator": {usage: x509.ExtKeyUsageClientAuth, cn: "raykube-operator"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cert := readCert(t, filepath.Join(dir, name+".crt"))
			if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: tc.verifyFor,
				KeyUsages: []x509.ExtKeyUsage{tc.usage}, CurrentTime: now}); err != nil {
				t.Errorf("does not verify against the CA: %v", err)
			}
			if cert.Subject.CommonName != tc.cn {
				t.Errorf("CN = %q, want %q", cert.Subject.CommonName, tc.cn)
			}
			if diff := cmp.Diff(tc.groups, cert.Subject.Organization); diff != "" {
				t.Errorf("O (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.dnsNames, cert.DNSNames); diff != "" {
				t.Errorf("DNS SANs (-want +got):\n%s", diff)
			}
			var ips []string
			for _, ip := range cert.IPAddresses {
				ips = append(ips, ip.String())
			}
			if diff := cmp.Diff(tc.ips, ips); diff != "" {
				t.Errorf("IP SANs (-want +got):\n%s", diff)
			}
			info, err := os.Stat(filepath.Join(dir, name+".key"))
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm() != 0o600 {
				t.Errorf("key mode %v, want 0600", info.Mode().Perm())
			}
		})
	}
}

func TestServiceAccountKeysMatch(t *testing.T) {
	dir := t.TempDir()
	if err := writeServiceAccountKeys(dir); err != nil {
		t.Fatal(err)
	}
	private := pemBlock(t, filepath.Join(dir, "sa.key"), "PRIVATE KEY")
	key, err := x509.ParsePKCS8PrivateKey(private.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	public := pemBlock(t, filepath.Join(dir, "sa.pub"), "PUBLIC KEY")
	pub, err := x509.ParsePKIXPublicKey(public.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		t.Fatalf("sa.key holds a %T, want an ECDSA key", key)
	}
	if !ecKey.PublicKey.Equal(pub) {
		t.Error("sa.pub is not the public half of sa.key")
	}
}

func TestCertSpecsAreUnique(t *testing.T) {
	var names []string
	for _, s := range certSpecs(net.IPv4(10, 96, 0, 1)) {
		if slices.Contains(names, s.name) {
			t.Errorf("certificate %s is defined twice", s.name)
		}
		names = append(names, s.name)
	}
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	cert, err := x509.ParseCertificate(pemBlock(t, path, "CERTIFICATE").Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func pemBlock(t *testing.T, path, wantType string) *pem.Block {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != wantType {
		t.Fatalf("%s does not hold a %s PEM block", path, wantType)
	}
	return block
}
