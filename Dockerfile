# One image with both programs: /raykube-operator (the entrypoint) and /raykube-apiserver.
#
#   make docker-build docker-push IMG=<registry>/raykube:<tag>
#
# The programs are static (CGO_ENABLED=0), so the runtime image needs no shell and no C
# library: distroless "static", whose nonroot user is 65532.

# The build runs on the builder's platform and cross-compiles for the target's.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
# Modules first, so that a source change reuses the downloaded modules.
COPY go.mod go.sum ./
RUN go mod download
COPY api/ api/
COPY cmd/ cmd/
COPY internal/ internal/
ARG TARGETOS
ARG TARGETARCH
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/raykube-operator ./cmd/operator && \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/raykube-apiserver ./cmd/apiserver

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/raykube-operator /out/raykube-apiserver /
USER 65532:65532
ENTRYPOINT ["/raykube-operator"]
