# syntax=docker/dockerfile:1
# Build: the server (release) and the web frontend (wasm32).
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/* \
    && rustup target add wasm32-unknown-unknown
WORKDIR /src
COPY . .
RUN cargo run -q -p xtask -- web /out/web \
    && cargo build --release -p b2mms \
    && cp target/release/b2mms /out/b2mms

# Run: a small image with the binary, the frontend and libpq.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/b2mms --create-home b2mms
COPY --from=build /out/b2mms /usr/local/bin/b2mms
COPY --from=build /out/web /usr/share/b2mms/web
USER b2mms
WORKDIR /var/lib/b2mms
ENV B2MMS_BIND=0.0.0.0:8080 \
    B2MMS_WEB_DIR=/usr/share/b2mms/web \
    B2MMS_DATABASE_URL=sqlite:///var/lib/b2mms/b2mms.db
EXPOSE 8080
ENTRYPOINT ["b2mms"]
CMD ["serve"]
