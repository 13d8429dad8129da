package apiserver

import (
	"strings"
	"testing"
)

// TestOptionsValidate checks that without authentication the server refuses to listen beyond
// loopback unless told, and that bad values are named.
func TestOptionsValidate(t *testing.T) {
	cases := map[string]struct {
		edit func(o *Options)
		want string // a part of the error; empty for none
	}{
		"defaults":      {edit: func(*Options) {}},
		"localhost":     {edit: func(o *Options) { o.HTTPAddr = "localhost:8888" }},
		"IPv6 loopback": {edit: func(o *Options) { o.GRPCAddr = "[::1]:8887" }},
		"gRPC off":      {edit: func(o *Options) { o.GRPCAddr = "" }},
		"all interfaces, open": {
			edit: func(o *Options) { o.HTTPAddr = ":8888" }, want: "--http-addr"},
		"remote gRPC, open": {
			edit: func(o *Options) { o.GRPCAddr = "0.0.0.0:8887" }, want: "--grpc-addr"},
		"remote pprof": {
			edit: func(o *Options) { o.PprofAddr = ":6060" }, want: "--pprof-addr"},
		"unknown auth": {edit: func(o *Options) { o.Auth = "ldap" }, want: "--auth"},
		"HTTP not an address": {
			edit: func(o *Options) { o.HTTPAddr = "notanaddr" },
			want: `--http-addr "notanaddr" is not a listen address (host:port, e.g. ` +
				"127.0.0.1:8080): missing port in address"},
		"HTTP not an address, authenticated": {
			edit: func(o *Options) { o.HTTPAddr, o.Auth = "notanaddr", AuthKubernetes },
			want: `--http-addr "notanaddr" is not a listen address`},
		"gRPC port out of range": {
			edit: func(o *Options) { o.GRPCAddr = "127.0.0.1:70000" },
			want: `--grpc-addr "127.0.0.1:70000": port "70000" is not a number from 0 to 65535`},
		"pprof bad host": {
			edit: func(o *Options) { o.PprofAddr = "bad_host:6060" },
			want: `--pprof-addr "bad_host:6060": host "bad_host" is neither an IP address ` +
				"nor a DNS name"},
		"no HTTP": {edit: func(o *Options) { o.HTTPAddr = "" }, want: "--http-addr must be given"},
		"zero body limit": {
			edit: func(o *Options) { o.MaxRequestBytes = 0 }, want: "--max-request-bytes"},
		"zero timeout": {
			edit: func(o *Options) { o.RequestTimeout = 0 }, want: "--request-timeout"},
		"all interfaces, authenticated": {
			edit: func(o *Options) { o.HTTPAddr, o.Auth = ":8888", AuthKubernetes }},
		"all interfaces, asked for": {
			edit: func(o *Options) { o.HTTPAddr, o.AllowInsecureRemote = ":1", true }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			o := DefaultOptions()
			tc.edit(&o)
			err := o.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one naming %s", err, tc.want)
			}
		})
	}
}
