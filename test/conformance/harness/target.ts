// The loopback target every case aims at: one node:http server whose routes come from the files in
// test/conformance/routes/ (each exports `routes: Route[]`), so every area adds its own routes in its own file.
import { readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface RouteContext {
  /** `:name` segments of the route's path. */
  params: Record<string, string>;
  url: URL;
  /** The whole request body (read before the handler runs, unless the route sets `streamBody`). */
  body: Buffer;
  target: Target;
}

export interface Route {
  method?: string;
  /** `/status/:code`; a trailing `/*` matches any rest of the path (`params['*']`). */
  path: string;
  /** The handler reads `req` itself (e.g. to count bytes as they arrive). */
  streamBody?: boolean;
  handle(req: http.IncomingMessage, res: http.ServerResponse, ctx: RouteContext): void | Promise<void>;
}

export interface Target {
  /** `http://127.0.0.1:PORT` — scripts get it as `__ENV.TARGET`. */
  url: string;
  /** Requests per route path pattern, e.g. counts['/status/:code']. */
  counts: Map<string, number>;
  /** TCP connections accepted since the last `reset()`. */
  connections: number;
  /** Per-target state routes may keep (e.g. a counter of a flaky route). */
  state: Map<string, unknown>;
  reset(): void;
  close(): Promise<void>;
}

function match(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = pathname.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '*' && i === want.length - 1) {
      params['*'] = got.slice(i).join('/');
      return params;
    }
    if (i >= got.length) return null;
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return want.length === got.length ? params : null;
}

const routesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'routes');

async function loadRoutes(): Promise<Route[]> {
  const files = readdirSync(routesDir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const all: Route[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(routesDir, file)).href)) as { routes?: Route[] };
    if (!Array.isArray(module.routes)) throw new Error(`test/conformance/routes/${file} must export routes: Route[]`);
    all.push(...module.routes);
  }
  return all;
}

export async function startTarget(): Promise<Target> {
  const routes = await loadRoutes();
  const sockets = new Set<Socket>();
  const target: Target = {
    url: '',
    counts: new Map(),
    connections: 0,
    state: new Map(),
    reset() {
      target.counts.clear();
      target.connections = 0;
      target.state.clear();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://target');
    for (const route of routes) {
      if (route.method && route.method !== req.method) continue;
      const params = match(route.path, url.pathname);
      if (!params) continue;
      target.counts.set(route.path, (target.counts.get(route.path) ?? 0) + 1);
      try {
        let body = Buffer.alloc(0);
        if (!route.streamBody) {
          const chunks: Buffer[] = [];
          for await (const chunk of req) chunks.push(chunk as Buffer);
          body = Buffer.concat(chunks);
        }
        await route.handle(req, res, { params, url, body, target });
      } catch (error) {
        if (!res.headersSent) res.statusCode = 500;
        res.end(String(error));
      }
      return;
    }
    res.statusCode = 404;
    res.end(`no route for ${req.method} ${url.pathname}`);
  });
  server.on('connection', (socket) => {
    target.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return target;
}
