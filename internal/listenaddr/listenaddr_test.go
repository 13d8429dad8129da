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
