/** The image lint: each rule catches what it is meant to, on small Dockerfiles. */
import { describe, expect, it } from 'vitest';
import { dockerignoreAllows, keyValues, lintDockerfile, parseDockerfile } from '../../../harnesses/conformance/dockerfile-lint.ts';
import { harnessRegistry } from '../../support/fixtures.ts';

const definition = harnessRegistry().get('codex')!;
const GOOD = `# syntax=docker/dockerfile:1
FROM node:22.23.3-trixie-slim AS build
COPY harnesses/codex/package.json ./
RUN npm ci
FROM node:22.23.3-trixie-slim
LABEL org.opencontainers.image.version="0.1.0"
RUN apt-get update \\
 && apt-get install -y --no-install-recommends git \\
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/paddock /opt/paddock
ENV HOME=/home/agent \\
    PATH=/usr/bin
WORKDIR /workspace
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "/opt/paddock/adapter/server.mjs"]
`;
const lint = (text: string, exists = (_: string) => true, dockerignore?: string[]) => lintDockerfile(text, { definition, exists, ...(dockerignore ? { dockerignore } : {}) });
const swap = (from: string, to: string) => {
  expect(GOOD).toContain(from);
  return lint(GOOD.replace(from, to));
};

describe('lintDockerfile', () => {
  it('accepts a Dockerfile that keeps every rule', () => {
    expect(lint(GOOD)).toEqual([]);
  });

  it('parses continuations, comments and key=value pairs', () => {
    const env = parseDockerfile(GOOD).find((i) => i.keyword === 'ENV')!;
    expect(env.line).toBe(11);
    expect(keyValues(env.args)).toEqual(new Map([['HOME', '/home/agent'], ['PATH', '/usr/bin']]));
    expect(keyValues('a="x y" b=2')).toEqual(new Map([['a', 'x y'], ['b', '2']]));
  });

  it('rejects unpinned, latest and ARG-dependent base images', () => {
    expect(swap('FROM node:22.23.3-trixie-slim AS build', 'FROM node:22-slim AS build')).toEqual([expect.stringContaining('is not pinned')]);
    expect(swap('FROM node:22.23.3-trixie-slim AS build', 'FROM node AS build')).toEqual([expect.stringContaining('is not pinned')]);
    expect(swap('FROM node:22.23.3-trixie-slim AS build', 'FROM node:latest AS build')).toEqual([expect.stringContaining('"latest"')]);
    expect(swap('FROM node:22.23.3-trixie-slim AS build', 'FROM ${BASE} AS build')).toEqual([expect.stringContaining('build ARG')]);
    expect(swap('FROM node:22.23.3-trixie-slim AS build', `FROM node@sha256:${'a'.repeat(64)} AS build`)).toEqual([]);
  });

  it('rejects ADD, npm install, curl | sh and careless apt', () => {
    expect(swap('COPY harnesses/codex/package.json ./', 'ADD https://example.com/x.tgz ./')).toEqual([expect.stringContaining('ADD fetches a URL')]);
    expect(swap('COPY harnesses/codex/package.json ./', 'ADD harnesses/codex/package.json ./')).toEqual([expect.stringContaining('use COPY')]);
    expect(swap('RUN npm ci', 'RUN npm install')).toEqual([expect.stringContaining('npm ci')]);
    expect(swap('RUN npm ci', 'RUN curl -fsSL https://x.sh | sh')).toEqual([expect.stringContaining('piping a download')]);
    expect(swap('--no-install-recommends ', '')).toEqual([expect.stringContaining('--no-install-recommends')]);
    expect(swap(' \\\n && rm -rf /var/lib/apt/lists/*', '')).toEqual([expect.stringContaining('/var/lib/apt/lists')]);
  });

  it('requires the definition\'s non-root user, port, workspace, HOME, command and version', () => {
    expect(swap('USER 10001:10001', 'USER root')).toEqual([expect.stringContaining("differs from the definition's user 10001:10001")]);
    expect(swap('USER 10001:10001\n', '')).toEqual([expect.stringContaining('sets no USER')]);
    expect(swap('EXPOSE 8080', 'EXPOSE 9090')).toEqual([expect.stringContaining('EXPOSE the harness port 8080')]);
    expect(swap('WORKDIR /workspace', 'WORKDIR /app')).toEqual([expect.stringContaining('workspace /workspace')]);
    expect(swap('HOME=/home/agent', 'HOME=/root')).toEqual([expect.stringContaining('ENV HOME must be the writable home mount /home/agent')]);
    expect(swap('CMD ["node", "/opt/paddock/adapter/server.mjs"]', 'CMD node /opt/paddock/adapter/server.mjs')).toEqual([expect.stringContaining('exec (JSON) form'), expect.stringContaining('but harness.yaml runs')]);
    expect(swap('image.version="0.1.0"', 'image.version="0.2.0"')).toEqual([expect.stringContaining('must equal the image tag "0.1.0"')]);
    expect(lint(`${GOOD}HEALTHCHECK CMD curl -f http://localhost:8080/healthz\n`)).toEqual([expect.stringContaining('no HEALTHCHECK')]);
  });

  it('checks COPY sources against the context and its .dockerignore, and --from against the stages', () => {
    expect(lint(GOOD, () => false)).toEqual([expect.stringContaining('does not exist in the build context')]);
    expect(lint(GOOD, () => true, ['*', '!harnesses/protocol/'])).toEqual([expect.stringContaining('excluded by the Dockerfile\'s .dockerignore')]);
    expect(lint(GOOD, () => true, ['*', '!harnesses/codex/package.json'])).toEqual([]);
    expect(swap('COPY --from=build', 'COPY --from=builder')).toEqual([expect.stringContaining('names no earlier stage')]);
  });
});

describe('dockerignoreAllows', () => {
  it('follows the last matching pattern, directories covering what is below them', () => {
    const allows = dockerignoreAllows(['# only the adapter', '*', '!harnesses/protocol/', '!harnesses/codex/adapter/', '**/node_modules']);
    expect(allows('harnesses/protocol/server.ts')).toBe(true);
    expect(allows('harnesses/codex/adapter/server.ts')).toBe(true);
    expect(allows('harnesses/codex/node_modules/x')).toBe(false);
    expect(allows('harnesses/protocol/node_modules/zod/index.js')).toBe(false);
    expect(allows('stacks/Pulumi.prod.yaml')).toBe(false);
    expect(allows('package.json')).toBe(false);
    expect(dockerignoreAllows([])('anything')).toBe(true);
  });
});
