// Package monitoring tests raykube's Prometheus and Grafana assets: the monitors and rules of
// config/prometheus and the dashboards of config/grafana.
//
//   - promtool checks the rules and runs their unit tests (testdata/gcs-rules.test.yaml);
//   - every PromQL expression of the dashboards is parsed with Prometheus's own parser, Grafana's
//     variables substituted, and every metric it names must be in config/grafana/*-metrics.txt;
//   - with the build tag integration, the monitors and rules are created with strict field
//     validation in a real API server that has the Prometheus Operator's CRDs, and the
//     dashboards' ConfigMaps next to them.
//
// It is a Go module of its own so that the Prometheus libraries never move the versions of the
// main module's dependencies.
package monitoring
