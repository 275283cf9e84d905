// Routes of the connection cases: every answer records which request of its TCP connection it was
// ("connection request #n" in the run's request counts), so the counts show how requests were spread
// over connections (#1 = connections opened, #2 = connections reused once, …), not only how many.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RouteContext, Route } from '../harness/target.ts';

const served = new WeakMap<Socket, number>();

function countOnConnection(req: IncomingMessage, { target }: RouteContext): void {
  const n = (served.get(req.socket) ?? 0) + 1;
  served.set(req.socket, n);
  const key = `connection request #${n}`;
  target.counts.set(key, (target.counts.get(key) ?? 0) + 1);
}

const delayOf = (ctx: RouteContext) => Number(ctx.url.searchParams.get('delay') ?? 0);

export const routes: Route[] = [
  {
    // 200 after ?delay= ms, on a connection kept alive.
    path: '/conn/keep',
    handle: (req, res, ctx) => {
      countOnConnection(req, ctx);
      setTimeout(() => res.end('kept'), delayOf(ctx));
    },
  },
  {
    // The server ends the connection with its answer (Connection: close).
    path: '/conn/close',
    handle: (req, res, ctx) => {
      countOnConnection(req, ctx);
      res.setHeader('connection', 'close');
      res.end('closing');
    },
  },
  {
    // Kept alive, then closed by the server after ?idle= ms without a request (a short keep-alive timeout).
    path: '/conn/idle-close',
    handle: (req, res, ctx) => {
      countOnConnection(req, ctx);
      const socket = req.socket;
      const idle = Number(ctx.url.searchParams.get('idle') ?? 100);
      res.end('closes when idle', () => {
        const count = served.get(socket);
        setTimeout(() => {
          if (served.get(socket) === count) socket.end();
        }, idle);
      });
    },
  },
];
