package localenv

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// certValidity is how long the local certificates are valid. A local environment is recreated
// at every `up`, so a year is ample.
const certValidity = 365 * 24 * time.Hour

// Identities of the clients of the API server. system:masters is the group the API server's
// default RBAC policy gives every permission; the controller manager and the scheduler use the
// user names the default policy has roles for.
const (
	adminUser             = "raykube-admin"
	controllerManagerUser = "system:kube-controller-manager"
	schedulerUser         = "system:kube-scheduler"
	kwokUser              = "raykube-kwok"
	operatorUser          = "raykube-operator"
	mastersGroup          = "system:masters"
)

// certSpec describes one certificate the CA issues.
type certSpec struct {
	// name is the base name of the .crt and .key files.
	name          string
	commonName    string
	organizations []string
	dnsNames      []string
	ips           []net.IP
	usage         x509.ExtKeyUsage
}

// certSpecs returns the certificates of the local environment: the API server's serving
// certificate, valid for loopback and the in-cluster names of the kubernetes Service (whose
// address is apiServiceIP); one serving certificate for the other components on loopback; and a
// client certificate for each client of the API server.
func certSpecs(apiServiceIP net.IP) []certSpec {
	loopback := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	return []certSpec{
		{
			name: "apiserver", commonName: "kube-apiserver", usage: x509.ExtKeyUsageServerAuth,
			dnsNames: []string{"localhost", "kubernetes", "kubernetes.default",
				"kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
			ips: append([]net.IP{apiServiceIP}, loopback...),
		},
		{
			name: "serving", commonName: "raykube-local-serving", usage: x509.ExtKeyUsageServerAuth,
			dnsNames: []string{"localhost"}, ips: loopback,
		},
		clientSpec("admin", adminUser, mastersGroup),
		clientSpec("kube-controller-manager", controllerManagerUser),
		clientSpec("kube-scheduler", schedulerUser),
		clientSpec("kwok", kwokUser, mastersGroup),
		// The operator's permissions come from RBAC (installOperatorRBAC), as in a real cluster.
		clientSpec("operator", operatorUser),
	}
}

func clientSpec(name, user string, groups ...string) certSpec {
	return certSpec{name: name, commonName: user, organizations: groups,
		usage: x509.ExtKeyUsageClientAuth}
}

// keyPair is a certificate and its private key.
type keyPair struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// newCA returns a self-signed certificate authority valid from now.
func newCA(now time.Time) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "raykube-local-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("signing the CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing the CA certificate: %w", err)
	}
	return &keyPair{cert: cert, key: key}, nil
}

// issue returns a new key and a certificate for it, signed by kp, a CA.
func (kp *keyPair) issue(spec certSpec, serial int64, now time.Time) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the key of %s: %w", spec.name, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: spec.commonName, Organization: spec.organizations},
		DNSNames:     spec.dnsNames,
		IPAddresses:  spec.ips,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{spec.usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, kp.cert, key.Public(), kp.key)
	if err != nil {
		return nil, fmt.Errorf("signing the certificate of %s: %w", spec.name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing the certificate of %s: %w", spec.name, err)
	}
	return &keyPair{cert: cert, key: key}, nil
}

// certPEM and keyPEM encode a key pair's parts.
func (kp *keyPair) certPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: kp.cert.Raw})
}

func (kp *keyPair) keyPEM() ([]byte, error) {
	return privateKeyPEM(kp.key)
}

func privateKeyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding a private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// generatePKI writes the CA, every certificate of certSpecs and the service-account signing
// key pair into dir: <name>.crt and <name>.key, ca.crt and ca.key, sa.key and sa.pub.
func generatePKI(dir string, apiServiceIP net.IP, now time.Time) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	ca, err := newCA(now)
	if err != nil {
		return err
	}
	if err := writePair(dir, "ca", ca); err != nil {
		return err
	}
	for i, spec := range certSpecs(apiServiceIP) {
		kp, err := ca.issue(spec, int64(i+2), now)
		if err != nil {
			return err
		}
		if err := writePair(dir, spec.name, kp); err != nil {
			return err
		}
	}
	return writeServiceAccountKeys(dir)
}

// writeServiceAccountKeys writes the key pair the API server signs service-account tokens with.
func writeServiceAccountKeys(dir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating the service-account key: %w", err)
	}
	private, err := privateKeyPEM(key)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return fmt.Errorf("encoding the service-account public key: %w", err)
	}
	public := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	return errors.Join(
		os.WriteFile(filepath.Join(dir, "sa.key"), private, 0o600),
		os.WriteFile(filepath.Join(dir, "sa.pub"), public, 0o644),
	)
}

func writePair(dir, name string, kp *keyPair) error {
	key, err := kp.keyPEM()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name+".crt"), kp.certPEM(), 0o644); err != nil {
		return fmt.Errorf("writing the certificate of %s: %w", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".key"), key, 0o600); err != nil {
		return fmt.Errorf("writing the key of %s: %w", name, err)
	}
	return nil
}
