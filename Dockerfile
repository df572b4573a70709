# tickops: the daily job's container. The machine's systemd timer runs it without a terminal:
#   docker run --rm --env-file tickops.env -v /var/lib/tickops:/data IMAGE --run-today
# Settings come from TICKOPS_* variables (TICKOPS_BUCKET, TICKOPS_REGION, TICKOPS_TICKERS...)
# or from a config file mounted at /config/tickops.config.json (the working directory), with a
# ticker list beside it. Credentials come from the instance role through IMDSv2; none are in
# the image.

# Build: compile TypeScript with the dev dependencies, which stay in this stage.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts are skipped because `prepare` would compile before the sources are copied in; the
# only install script in the tree (esbuild, for tsx) is not used by the build.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime: production dependencies, the compiled code and the bundled lists only.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    TICKOPS_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY lists ./lists
COPY demo ./demo

# The official image's `node` user (uid 1000) runs the job; the machine's data folder is
# created for that uid by the user data.
RUN mkdir -p /data /config && chown node:node /data
USER node
VOLUME ["/data"]
WORKDIR /config

ENTRYPOINT ["node", "/app/dist/commands/main.js"]
CMD ["--run-today"]
