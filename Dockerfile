# syntax=docker/dockerfile:1
# One image build for every Switchboard process; compose picks the stage (migrate, call-api, queue-worker).
# The services run compiled (packages/<service>/dist/server.cjs, built here by `npm run build`'s script, with source
# maps), as they do under `npm start` and in the tests; the one-shot migrate stage runs its TypeScript through tsx.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# patch-package applies these after npm ci (a fix to postgres.js that upstream has not released).
COPY patches ./patches
COPY packages/contracts/package.json packages/contracts/
COPY packages/db/package.json packages/db/
COPY packages/messaging/package.json packages/messaging/
COPY packages/routing/package.json packages/routing/
COPY packages/service/package.json packages/service/
COPY packages/call-api/package.json packages/call-api/
COPY packages/queue-worker/package.json packages/queue-worker/
COPY packages/local-stack/package.json packages/local-stack/
COPY packages/bench/package.json packages/bench/
COPY packages/e2e/package.json packages/e2e/
COPY packages/loadtest/package.json packages/loadtest/
RUN npm ci --no-audit --no-fund

FROM node:24-bookworm-slim AS app
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.base.json ./
COPY packages ./packages
RUN node --import tsx packages/local-stack/src/cli/build.ts
USER node

FROM app AS migrate
CMD ["sh", "-c", "node --import tsx packages/db/src/cli/migrate.ts && node --import tsx packages/local-stack/src/cli/load-demo-data.ts"]

FROM app AS call-api
EXPOSE 3000
CMD ["node", "--enable-source-maps", "packages/call-api/dist/server.cjs"]

FROM app AS queue-worker
EXPOSE 3001
CMD ["node", "--enable-source-maps", "packages/queue-worker/dist/server.cjs"]
