// Package openapi serves the API server's OpenAPI (Swagger 2.0) document, generated from the
// protobuf definition by `make generate-proto`, and a small page that renders it for browsing.
package openapi

import (
	_ "embed" // the generated document and the page are embedded
	"net/http"
)

// document is the OpenAPI document protoc-gen-openapiv2 writes beside this file.
//
//go:embed apiserver.swagger.json
var document []byte

//go:embed docs.html
var page []byte

// Document returns the OpenAPI document.
func Document() []byte {
	return document
}

// DocumentHandler serves the OpenAPI document as JSON.
func DocumentHandler() http.Handler {
	return staticHandler("application/json", document)
}

// UIHandler serves a page that lists the operations, parameters and message schemas of the
// OpenAPI document, which it fetches from openapi.json beside its own path; serve both at the
// root. It loads no script from anywhere else.
func UIHandler() http.Handler {
	return staticHandler("text/html; charset=utf-8", page)
}

func staticHandler(contentType string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy",
			"default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; "+
				"connect-src 'self'")
		_, _ = w.Write(body)
	})
}
