# syntax=docker/dockerfile:1

# memsnap: build with the dev dependencies, run with the production ones only.
#   docker build -t memsnap \
#     --build-arg VERSION="$(node -p 'require("./package.json").version')" \
#     --build-arg REVISION="$(git rev-parse HEAD)" .
#   docker run --rm -p 8080:8080 memsnap               # the embedded demo target
#   docker run --rm memsnap --help                      # the other memsnap commands
#
# Node 22 LTS: the line the test suite runs on in CI besides the machine's Node 20 (.ci/run).

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
RUN npm run build

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
# The version of package.json and the commit the image is built from.
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="memsnap" \
      org.opencontainers.image.description="The memory truth of a vector database server: a Prometheus exporter, JSON snapshots and alerts" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
ENV NODE_ENV=production \
    MEMSNAP_HOST=0.0.0.0 \
    MEMSNAP_PORT=8080 \
    MEMSNAP_DATA_DIR=/var/lib/memsnap \
    MEMORY_OUTPUT_DIR=/var/lib/memsnap/snapshots
WORKDIR /app
COPY --from=production-dependencies /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# The image's node user (uid 1000) owns the alert state and the exported snapshots; a named volume
# mounted here starts with that ownership.
RUN mkdir -p /var/lib/memsnap/snapshots && chown -R node:node /var/lib/memsnap
VOLUME /var/lib/memsnap
USER node
EXPOSE 8080
# `memsnap healthcheck` reads the configuration as `serve` does (MEMSNAP_CONFIG_FILE, the environment,
# the web configuration file), so it follows whatever port, address and scheme that sets.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "/app/dist/cli/main.js", "healthcheck"]
# The daemon stops its schedule, finishes in-flight requests and stops the demo child on SIGTERM.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve"]
