// The dashboard's HTTP side, a small Fastify app: the page, its server-sent events (every event so
// far, then each new one as it happens, as k6's dashboard does), and the report as a download.
import Fastify, { type FastifyInstance } from 'fastify';
import type { DashboardEvent } from './page.ts';

export interface EventFeed {
  readonly title: string;
  events(): readonly DashboardEvent[];
  subscribe(listener: (event: DashboardEvent) => void): () => void;
  livePage(): string;
  report(): string;
}

export function formatEvent({ id, event, data }: DashboardEvent): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function buildDashboardServer(feed: EventFeed): FastifyInstance {
  // forceCloseConnections: open event streams must not keep close() waiting.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.get('/', async (_request, reply) => reply.redirect('/ui/'));
  app.get('/ui', async (_request, reply) => reply.redirect('/ui/'));
  app.get('/ui/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(feed.livePage()),
  );
  app.get('/report', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-disposition', 'attachment; filename="report.html"').send(feed.report()),
  );
  app.get('/events', (request, reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    raw.write('retry: 2000\n\n');
    for (const event of feed.events()) raw.write(formatEvent(event));
    const unsubscribe = feed.subscribe((event) => raw.write(formatEvent(event)));
    request.raw.on('close', unsubscribe);
  });
  return app;
}
