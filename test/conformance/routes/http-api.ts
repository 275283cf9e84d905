// Routes of the k6/http API, k6/html and cookie cases: a raw echo (headers as sent, in order), a
// multipart parser that reports every part's headers (and counts parts carrying a header a
// filename injected), an HTML page with forms and links, and redirects that set cookies.
import type { Route } from '../harness/target.ts';

interface Part {
  headers: Record<string, string>;
  content: string;
}

/** Splits a multipart/form-data body at its boundary; each part's headers lower-cased, as a server reads them. */
function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (boundary === undefined) return [];
  const text = body.toString('latin1');
  const parts: Part[] = [];
  for (const chunk of text.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const [head, ...rest] = chunk.replace(/^\r\n/, '').split('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, content: rest.join('\r\n\r\n').replace(/\r\n$/, '') });
  }
  return parts;
}

export const PAGE = `<!DOCTYPE html><html lang="vi"><head><title>Dịch vụ công &amp; thủ tục</title><base href="/api/"></head><body>
<div id="main" class="card wide" data-user-id="42" data-json='{"x":1}' data-flag="true" data-name="An"><p>One<br>two 'q' "d"</p><p class="x">Three</p><span>S</span></div>
<ul id="list"><li>1</li><li class="odd">2</li><li>3</li><li class="odd">4</li></ul>
<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></tbody></table>
<form id="search" action="/api/form-target?old=1"><input name="q" value="thủ tục"><input type="submit" name="go" value="Tìm"></form>
<form id="login" method="post" action="/api/form-target"><input type="hidden" name="csrf" value="t0k3n"><input name="user" value=""><input type="checkbox" name="remember" checked="checked"><input type="checkbox" name="news" checked><input type="radio" name="lang" value="vi" checked="checked"><input type="radio" name="lang" value="en"><select name="level"><option value="3">3</option><option value="4" selected>4</option></select><select name="tags" multiple><option selected value="a">A</option><option value="b">B</option><option selected>C</option></select><textarea name="note">Xin &lt;chào&gt;</textarea><input name="off" disabled value="x"><button name="btn" value="b1">B</button><input type="submit" name="action" value="login"></form>
<a class="link" href="/api/form-target?from=link">first</a><a class="link" href="form-target?rel=1" rel="next nofollow">second</a><a id="abs" href="http://user:pw@127.0.0.1:9/p/a?x=1#frag">abs</a>
<!-- a comment --><img src="/img.png" width="10" alt="i"><label for="user">User</label>
</body></html>`;

export const routes: Route[] = [
  {
    // The request as it arrived: method, URL, header names and values in order (canonical case as sent), body.
    path: '/api/raw-echo',
    handle: (req, res, { body }) => {
      res.setHeader('content-type', 'application/json');
      const headers: string[][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
      res.end(JSON.stringify({ method: req.method, url: req.url, headers, body: body.toString('latin1') }));
    },
  },
  {
    // The parts of a multipart body: { parts: [{ headers, content }] }; a part header a filename or field name
    // injected is counted as "injected part header".
    path: '/api/multipart',
    handle: (req, res, { body, target }) => {
      const parts = parseMultipart(body, req.headers['content-type'] ?? '');
      for (const part of parts) {
        if (Object.keys(part.headers).some((h) => h !== 'content-disposition' && h !== 'content-type')) {
          target.counts.set('injected part header', (target.counts.get('injected part header') ?? 0) + 1);
        }
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ contentType: (req.headers['content-type'] ?? '').replace(/boundary=.*/, 'boundary=…'), parts }));
    },
  },
  {
    path: '/api/page',
    handle: (_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(PAGE);
    },
  },
  {
    // Where the page's forms and links lead: what arrived, as JSON.
    path: '/api/form-target',
    handle: (req, res, { body, url }) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          method: req.method,
          query: url.search,
          contentType: req.headers['content-type'] ?? '',
          body: body.toString('utf8'),
          referer: req.headers.referer ?? '',
        }),
      );
    },
  },
  {
    // Sets the ?c= cookies (verbatim Set-Cookie headers) and redirects to ?to= (default /cookies).
    path: '/api/redirect-cookies',
    handle: (_req, res, { url }) => {
      res.statusCode = Number(url.searchParams.get('status') ?? 302);
      res.setHeader('set-cookie', url.searchParams.getAll('c'));
      res.setHeader('location', url.searchParams.get('to') ?? '/cookies');
      res.end();
    },
  },
  {
    // Closes the connection without an answer: abruptly (RST) with ?rst=1, else with a FIN.
    path: '/api/hang-up',
    handle: (req, _res, { url }) => {
      if (url.searchParams.get('rst') === '1') req.socket.resetAndDestroy();
      else req.socket.end();
    },
  },
  {
    // A JSON document for Response.json(selector) (GJSON paths).
    path: '/api/json',
    handle: (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          name: { first: 'An', last: 'Nguyễn' },
          age: 37,
          children: ['Sara', 'Alex', 'Jack'],
          'fav.movie': 'Deer Hunter',
          friends: [
            { first: 'Dale', last: 'Murphy', age: 44, nets: ['ig', 'fb', 'tw'] },
            { first: 'Roger', last: 'Craig', age: 68, nets: ['fb', 'tw'] },
            { first: 'Jane', last: 'Murphy', age: 47, nets: ['ig', 'tw'] },
          ],
          empty: null,
        }),
      );
    },
  },
];
