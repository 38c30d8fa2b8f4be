# syntax=docker/dockerfile:1.7
# Strata's container image. Four stages, ordered so that what changes least is built first
# and stays in the layer cache:
#   toolchain  Rust + wasm target + cargo-leptos, wasm-bindgen and wasm-opt (rarely changes)
#   planner    the dependency recipe (cargo-chef) from the manifests only
#   builder    dependencies cooked from the recipe (cached until Cargo.lock changes), then
#              the sources and `cargo leptos build --release`
#   runtime    a slim Debian with the binary and the built site, running as a non-root user
# .ci/image-layout mirrors the runtime stage's layout and start command, and .ci/run
# exercises it (Docker itself cannot run where Strata's CI runs).

ARG RUST_VERSION=1.95
ARG CARGO_LEPTOS_VERSION=0.3.10
ARG WASM_BINDGEN_VERSION=0.2.130
ARG BINARYEN_VERSION=132

FROM rust:${RUST_VERSION}-bookworm AS toolchain
ARG CARGO_LEPTOS_VERSION
ARG WASM_BINDGEN_VERSION
ARG BINARYEN_VERSION
# Debian's stable packages, not pinned: bookworm only takes security fixes.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
RUN rustup target add wasm32-unknown-unknown \
 && cargo install cargo-chef --locked --version 0.1.78 \
 && cargo install cargo-leptos --locked --version "${CARGO_LEPTOS_VERSION}" \
 && cargo install wasm-bindgen-cli --version "=${WASM_BINDGEN_VERSION}"
# Debian's binaryen (v108) breaks hydration; npm's carries a current wasm-opt.
RUN npm install --global --no-audit --no-fund "binaryen@${BINARYEN_VERSION}"
WORKDIR /src

FROM toolchain AS planner
COPY Cargo.toml Cargo.lock ./
COPY crates/strata-core/Cargo.toml crates/strata-core/Cargo.toml
COPY crates/strata-joblog/Cargo.toml crates/strata-joblog/Cargo.toml
COPY crates/strata-demo/Cargo.toml crates/strata-demo/Cargo.toml
COPY app/Cargo.toml app/Cargo.toml
COPY server/Cargo.toml server/Cargo.toml
COPY .cargo .cargo
RUN mkdir -p crates/strata-core/src crates/strata-joblog/src crates/strata-demo/src app/src server/src \
 && touch crates/strata-core/src/lib.rs crates/strata-joblog/src/lib.rs crates/strata-demo/src/lib.rs \
 && touch app/src/lib.rs server/src/lib.rs \
 && echo 'fn main() {}' > server/src/main.rs \
 && cargo chef prepare --recipe-path recipe.json

FROM toolchain AS builder
COPY --from=planner /src/recipe.json recipe.json
# Dependencies of the server (ssr) and of the browser bundle (hydrate, wasm32), in their own
# layers: rebuilt only when the recipe (Cargo.toml/Cargo.lock) changes.
# hadolint ignore=DL3059
RUN cargo chef cook --release --recipe-path recipe.json -p strata
# hadolint ignore=DL3059
RUN cargo chef cook --profile wasm-release --target wasm32-unknown-unknown \
      --no-default-features --features hydrate -p strata-app --recipe-path recipe.json
COPY . .
RUN cargo leptos build --release \
 && mkdir -p /out \
 && cp target/release/strata /out/strata \
 && cp -r target/site /out/site

FROM debian:bookworm-slim AS runtime
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 strata \
 && useradd --system --uid 10001 --gid strata --home-dir /data --shell /usr/sbin/nologin strata \
 && mkdir -p /data \
 && chown strata:strata /data
COPY --from=builder /out/strata /app/strata
COPY --from=builder /out/site /app/site
# The binary finds its site beside itself (/app/site); SQLite lives on the /data volume.
ENV STRATA_LISTEN=0.0.0.0:3000 \
    DATABASE_URL=sqlite:/data/strata.db \
    RUST_LOG=info
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["curl", "-fsS", "http://127.0.0.1:3000/healthz"]
ENTRYPOINT ["/app/strata"]
CMD ["serve"]
