package listenaddr

import "testing"

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:6060": true, "localhost:1": true, "[::1]:80": true, "127.1.2.3:9": true,
		":6060": false, "0.0.0.0:80": false, "10.0.0.1:80": false, "example.com:80": false,
		"127.0.0.1": false, "": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := map[string]string{
		"127.0.0.1:8080": "", ":8080": "", "[::1]:0": "", "localhost:65535": "",
		"my-host.example.com:80": "",
		"notanaddr": `--x "notanaddr" is not a listen address (host:port, e.g. 127.0.0.1:8080): ` +
			"missing port in address",
		"":          `--x "" is not a listen address (host:port, e.g. 127.0.0.1:8080): missing port in address`,
		"1.2.3.4:":  `--x "1.2.3.4:": port "" is not a number from 0 to 65535`,
		":http":     `--x ":http": port "http" is not a number from 0 to 65535`,
		":70000":    `--x ":70000": port "70000" is not a number from 0 to 65535`,
		"a_b:80":    `--x "a_b:80": host "a_b" is neither an IP address nor a DNS name`,
		"[::1:8080": `--x "[::1:8080" is not a listen address (host:port, e.g. 127.0.0.1:8080): missing ']' in address`,
	}
	for addr, want := range tests {
		err := Check("--x", addr)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("Check(%q) = %q, want %q", addr, got, want)
		}
	}
}
