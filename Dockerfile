# syntax=docker/dockerfile:1

# memsnap: build with the dev dependencies, run with the production ones only.
#   docker build -t memsnap .
#   docker run --rm -p 8080:8080 memsnap               # the embedded demo target
#   docker run --rm memsnap --help                      # the other memsnap commands

ARG NODE_IMAGE=node:20-bookworm-slim

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
LABEL org.opencontainers.image.title="memsnap" \
      org.opencontainers.image.description="The memory truth of a vector database server: a Prometheus exporter, JSON snapshots and alerts" \
      org.opencontainers.image.licenses="MIT"
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
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.MEMSNAP_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The daemon stops its schedule, finishes in-flight requests and stops the demo child on SIGTERM.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve"]
