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
# The default store, a SQLite file; set HRSYNC_STORE to a postgres:// DSN
# for several workers (docker-compose.yml does). An environment default,
# not a --store argument, which would override HRSYNC_STORE.
ENV HRSYNC_STORE=/var/lib/hrsync/hrsync.db
ENTRYPOINT ["/usr/local/bin/worker"]
