# Builds the hrsync worker and starter. Used by docker-compose.yml.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/worker ./worker && CGO_ENABLED=0 go build -o /out/starter ./starter

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /out/starter /usr/local/bin/
VOLUME /var/lib/hrsync
ENTRYPOINT ["/usr/local/bin/worker"]
CMD ["--store", "/var/lib/hrsync/hrsync.db"]
