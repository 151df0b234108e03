# witness-trap as a container image: the CLI built from this clone, run as a non-root user, fit for a read-only root
# file system. Keys, .env and the state file live on mounts (docs/operations.md, "Container"):
#   docker build -t witness-trap .
#   docker run --rm --read-only --tmpfs /tmp witness-trap demo
#   docker run -d --name witness-trap --restart on-failure --read-only --tmpfs /tmp --user "$(id -u):$(id -g)" \
#     -v "$PWD/watcher:/config:ro" -v witness-trap-state:/state -p 127.0.0.1:9477:9477 \
#     witness-trap run --daemon --state /state/state.json --metrics 0.0.0.0:9477
# /config holds .env (mode 600) and signing.keys (mode 600): the CLI reads .env from its working directory, /config.

FROM node:22-bookworm-slim AS build
WORKDIR /src
# The pnpm the workspace pins (packageManager in package.json).
RUN npm install --global --no-audit --no-fund pnpm@10.34.9
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm build \
 && pnpm install --frozen-lockfile --prod --config.confirmModulesPurge=false

FROM node:22-bookworm-slim
ENV NODE_ENV=production
# The built workspace: dist/ of every package and their production dependencies (pnpm's links are relative).
COPY --from=build --chown=root:root /src /app
# Nothing in /app is written at run time: a read-only root file system is fine. The state goes to /state.
RUN mkdir -p /config /state && chown node:node /state
USER node
WORKDIR /config
VOLUME ["/state"]
ENTRYPOINT ["node", "/app/packages/cli/bin/witness-trap.js"]
CMD ["--help"]
