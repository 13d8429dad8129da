// Package service is the logic of the API server between its handlers and Kubernetes: it
// validates requests, reads compute templates, creates, reads, lists and deletes RayClusters and
// ConfigMaps through an uncached client, and answers with API messages or with gRPC status
// errors whose codes the HTTP gateway turns into status codes (InvalidArgument 400, NotFound
// 404, AlreadyExists 409, ...). It never returns Internal for a caller's mistake.
package service
