# Build: docker build -t mooc .
# Run:   docker run -p 8080:8080 -e MOOC_TOKEN_SECRET=... -v mooc-data:/data mooc

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, in their own layer, so a code change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/mooc ./cmd/mooc \
	&& mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/mooc /mooc
COPY --from=build --chown=65532:65532 /out/data /data
USER nonroot
ENV MOOC_ADDR=:8080 MOOC_DATA_DIR=/data
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["/mooc"]
CMD ["serve"]
