// The dashboard page (plain browser JavaScript, inlined into the HTML with uPlot). It reads the same
// events live (server-sent, from /events) or embedded (the exported report) and lays the run out from
// "is it healthy?" down to "why not?": totals and thresholds, load and errors, latency by request and
// scenario, then each service resource's saturation on the same time axis, the first to saturate marked.
(() => {
  const uPlot = window.uPlot;
  const SATURATED = 0.9;
  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#ea580c'];
  const state = { config: null, runs: [], snapshots: [], totals: null, firstSaturation: null, running: false, connected: false };
  const charts = new Map();
  const syncKey = uPlot.sync('loadlab');
  // Tests and curious users read what the page has drawn here.
  window.loadlabDashboard = { state, charts, events: 0 };

  const el = (tag, attrs = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  };
  const fmt = {
    num: (v, digits = 0) =>
      v === null || v === undefined || Number.isNaN(v)
        ? '–'
        : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }),
    ms: (v) => (v === null || v === undefined ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 2 : 0)} ms`),
    pct: (v, digits = 1) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(digits)} %`),
    time: (t) => new Date(t).toLocaleTimeString('en-GB'),
    elapsed: (ms) => {
      const s = Math.round(ms / 1000);
      return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
    },
  };

  function layout() {
    const app = document.getElementById('app');
    app.replaceChildren(
      el('header', {}, [
        el('h1', { text: state.config?.title ?? 'loadlab dashboard' }),
        el('p', { id: 'status', class: 'status' }),
        document.body.dataset.mode === 'live'
          ? el('a', { href: '/report', class: 'download', text: 'Download this page as a report' })
          : el('span'),
      ]),
      el('section', { 'aria-labelledby': 'h-health' }, [
        el('h2', { id: 'h-health', text: 'Is it healthy?' }),
        el('div', { id: 'tiles', class: 'tiles' }),
        el('table', { id: 'thresholds', class: 'thresholds' }),
      ]),
      el('section', { 'aria-labelledby': 'h-load' }, [
        el('h2', { id: 'h-load', text: 'Load, errors and latency' }),
        el('div', { class: 'grid' }, [chartBox('load'), chartBox('errors'), chartBox('latency'), chartBox('dropped')]),
      ]),
      el('section', { 'aria-labelledby': 'h-where' }, [
        el('h2', { id: 'h-where', text: 'Which requests are slow?' }),
        el('div', { class: 'grid' }, [chartBox('byName'), chartBox('byScenario')]),
      ]),
      el('section', { id: 'services', 'aria-labelledby': 'h-services' }, [
        el('h2', { id: 'h-services', text: 'Which service saturates?' }),
        el('p', { id: 'first-saturation', class: 'first' }),
        el('div', { class: 'grid' }, [chartBox('utilisation'), chartBox('queue'), chartBox('rejections')]),
        el('table', { id: 'resources', class: 'resources' }),
      ]),
    );
  }

  function chartBox(name) {
    return el('figure', { class: 'chart', 'data-chart': name });
  }

  function handle(event, data) {
    window.loadlabDashboard.events++;
    switch (event) {
      case 'config':
        state.config = data;
        layout();
        break;
      case 'start':
        state.runs.push({ name: data.run, t: data.t, thresholds: data.thresholds, end: null });
        state.running = true;
        break;
      case 'snapshot':
        state.snapshots.push(data);
        break;
      case 'cumulative':
        state.totals = data.totals;
        state.firstSaturation = data.firstSaturation;
        break;
      case 'stop': {
        const run = state.runs.find((r) => r.name === data.run && r.end === null);
        if (run) run.end = data.t;
        state.running = false;
        break;
      }
    }
  }

  let scheduled = false;
  function scheduleRender() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      render();
    });
  }

  function render() {
    if (!document.getElementById('tiles')) layout();
    renderStatus();
    renderTiles();
    renderThresholds();
    renderCharts();
    renderResources();
  }

  function renderStatus() {
    const run = state.runs[state.runs.length - 1];
    const status = document.getElementById('status');
    const mode = document.body.dataset.mode;
    if (!run) status.textContent = mode === 'live' ? 'Waiting for the run to start…' : 'No run recorded.';
    else {
      const elapsed = state.totals ? fmt.elapsed(state.totals.elapsedMs) : '';
      const what = state.running ? 'running' : 'finished';
      const link = mode === 'live' && !state.connected && state.running ? ' · reconnecting…' : '';
      status.textContent = `${run.name} ${what} · ${elapsed} · started ${fmt.time(run.t)}${state.runs.length > 1 ? ` · run ${state.runs.length} of this session` : ''}${link}`;
    }
    status.dataset.state = state.running ? 'running' : 'finished';
  }

  function lastMetrics() {
    return state.snapshots.length ? state.snapshots[state.snapshots.length - 1].metrics : null;
  }

  function renderTiles() {
    const m = lastMetrics();
    const rated = [...state.snapshots].reverse().find((s) => s.metrics.requestRate !== null)?.metrics ?? m;
    const t = state.totals;
    const passing = t ? t.thresholds.filter((x) => x.ok !== false).length : 0;
    const failing = t ? t.thresholds.length - passing : 0;
    const checks = t && t.checksPassed + t.checksFailed > 0 ? t.checksPassed / (t.checksPassed + t.checksFailed) : null;
    const first = state.firstSaturation;
    const tiles = [
      ['VUs', m ? fmt.num(m.vus) : '–', m && m.vusMax !== null ? `of ${fmt.num(m.vusMax)} allocated` : '', 'vus'],
      ['Requests / s', rated ? fmt.num(rated.requestRate, 1) : '–', t ? `${fmt.num(t.requests)} in total` : '', 'rps'],
      [
        'Failed requests',
        m ? fmt.pct(m.failureRate, 2) : '–',
        t ? `${fmt.num(t.failedRequests)} in total` : '',
        'failed',
        m && m.failureRate > 0.01 ? 'bad' : '',
      ],
      ['p95 latency', m ? fmt.ms(m.p95) : '–', t ? `whole run ${fmt.ms(t.p95)}` : '', 'p95'],
      ['p99 latency', m ? fmt.ms(m.p99) : '–', t ? `whole run ${fmt.ms(t.p99)}` : '', 'p99'],
      [
        'Checks passed',
        fmt.pct(checks, 2),
        t ? `${fmt.num(t.checksFailed)} failed` : '',
        'checks',
        checks !== null && checks < 1 ? 'warn' : '',
      ],
      [
        'Thresholds',
        t?.thresholds.length ? `${passing} / ${t.thresholds.length}` : 'none',
        failing ? `${failing} crossed` : t?.thresholds.length ? 'all passing' : '',
        'thresholds',
        failing ? 'bad' : '',
      ],
      [
        'Dropped iterations',
        t ? fmt.num(t.droppedIterations) : '–',
        m ? `${fmt.num(m.droppedIterations)} last period` : '',
        'dropped',
        t && t.droppedIterations > 0 ? 'warn' : '',
      ],
      [
        'First to saturate',
        first ? first.key : state.config?.services?.length ? 'none yet' : 'no service metrics',
        first ? `at ${fmt.time(first.t)}` : '',
        'saturation',
        first ? 'bad' : '',
      ],
    ];
    document
      .getElementById('tiles')
      .replaceChildren(
        ...tiles.map(([label, value, note, id, tone]) =>
          el('div', { class: `tile ${tone ?? ''}`, 'data-tile': id }, [
            el('span', { class: 'label', text: label }),
            el('strong', { text: value }),
            el('small', { text: note }),
          ]),
        ),
      );
  }

  function renderThresholds() {
    const table = document.getElementById('thresholds');
    const rows = state.totals?.thresholds ?? [];
    if (rows.length === 0) {
      table.replaceChildren(el('caption', { text: 'No thresholds in this run.' }));
      return;
    }
    table.replaceChildren(
      el('caption', { text: 'Thresholds, evaluated on the run so far' }),
      el('thead', {}, [el('tr', {}, [el('th', { text: 'metric' }), el('th', { text: 'threshold' }), el('th', { text: 'state' })])]),
      el(
        'tbody',
        {},
        rows.map((r) => {
          const label = r.ok === null ? 'no data yet' : r.ok ? 'passing' : 'crossed';
          return el('tr', { 'data-ok': String(r.ok) }, [
            el('td', { text: r.metric }),
            el('td', { text: r.source }),
            el('td', { class: 'badge', text: label }),
          ]);
        }),
      ),
    );
  }

  // A time axis shared by every chart: the end of each period, in seconds as uPlot wants.
  function xs() {
    return state.snapshots.map((s) => s.metrics.t / 1000);
  }

  function markers(u) {
    const ctx = u.ctx;
    const { top, height, left, width } = u.bbox;
    ctx.save();
    for (const run of state.runs) {
      const x = u.valToPos(run.t / 1000, 'x', true);
      if (x < left || x > left + width) continue;
      ctx.strokeStyle = '#94a3b8';
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      if (state.runs.length > 1) {
        ctx.fillStyle = '#475569';
        ctx.font = `${11 * devicePixelRatio}px sans-serif`;
        ctx.fillText(run.name, x + 4, top + 12 * devicePixelRatio);
      }
    }
    const first = state.firstSaturation;
    if (first) {
      const x = u.valToPos(first.t / 1000, 'x', true);
      ctx.strokeStyle = '#dc2626';
      ctx.setLineDash([]);
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillStyle = '#dc2626';
      ctx.font = `bold ${11 * devicePixelRatio}px sans-serif`;
      ctx.fillText(`${first.key} saturated`, x + 4, top + height - 6 * devicePixelRatio);
    }
    ctx.restore();
  }

  function chart(name, title, series, data, axes = {}) {
    const box = document.querySelector(`[data-chart="${name}"]`);
    if (!box) return;
    const signature = series.map((s) => s.label).join('|');
    let entry = charts.get(name);
    if (entry && entry.signature !== signature) {
      entry.plot.destroy();
      entry = undefined;
    }
    if (!entry) {
      box.replaceChildren(el('figcaption', { text: title }));
      const width = Math.max(280, box.clientWidth - 16);
      const plot = new uPlot(
        {
          width,
          height: 220,
          cursor: { sync: { key: syncKey.key } },
          legend: { live: true },
          scales: { x: { time: true }, ...(axes.scales ?? {}) },
          axes: [
            {},
            { label: axes.y ?? '', size: 60, values: axes.values },
            ...(axes.y2 ? [{ side: 1, scale: 'y2', label: axes.y2, grid: { show: false }, size: 60 }] : []),
          ],
          series: [
            {},
            ...series.map((s, i) => ({
              stroke: s.stroke ?? PALETTE[i % PALETTE.length],
              width: 2,
              spanGaps: false,
              points: { show: false },
              ...s,
            })),
          ],
          hooks: { draw: [markers, ...(axes.draw ? [axes.draw] : [])] },
        },
        data,
        box,
      );
      entry = { plot, signature, points: 0 };
      charts.set(name, entry);
    } else entry.plot.setData(data);
    entry.points = data[0].length;
  }

  function keyedSeries(pick) {
    const keys = new Set();
    for (const s of state.snapshots) for (const key of Object.keys(pick(s) ?? {})) keys.add(key);
    return [...keys].sort();
  }

  // The charts draw the resources that did something (busy, queueing, rejecting), busiest first, at
  // most eight; the table below lists every one.
  function busiestResources() {
    const peak = new Map();
    for (const s of state.snapshots) {
      for (const r of s.services?.resources ?? []) {
        const activity = Math.max(r.utilisation, r.queue > 0 ? 0.011 : 0, r.rejections > 0 ? 0.011 : 0);
        peak.set(r.key, Math.max(peak.get(r.key) ?? 0, activity));
      }
    }
    const active = [...peak].filter(([key, value]) => value > 0.01 || key === state.firstSaturation?.key);
    const chosen = (active.length ? active : [...peak]).sort((a, b) => b[1] - a[1]).slice(0, 8);
    return chosen.map(([key]) => key).sort();
  }

  function renderCharts() {
    const x = xs();
    const m = state.snapshots.map((s) => s.metrics);
    chart(
      'load',
      'VUs and requests per second',
      [{ label: 'VUs' }, { label: 'requests/s', scale: 'y2' }],
      [x, m.map((v) => v.vus), m.map((v) => v.requestRate)],
      { y: 'VUs', y2: 'req/s' },
    );
    chart(
      'errors',
      'Failed requests and failed checks',
      [
        { label: 'failed requests %', stroke: '#dc2626' },
        { label: 'failed checks %', stroke: '#d97706' },
      ],
      [
        x,
        m.map((v) => (v.failureRate === null ? null : v.failureRate * 100)),
        m.map((v) => (v.checkRate === null ? null : (1 - v.checkRate) * 100)),
      ],
      { y: '%' },
    );
    chart(
      'latency',
      'Request latency (per period)',
      [{ label: 'p95 ms' }, { label: 'p99 ms', stroke: '#7c3aed' }],
      [x, m.map((v) => v.p95), m.map((v) => v.p99)],
      { y: 'ms' },
    );
    chart(
      'dropped',
      'Dropped iterations per period',
      [{ label: 'dropped', stroke: '#d97706', fill: 'rgba(217,119,6,0.15)' }],
      [x, m.map((v) => v.droppedIterations)],
      { y: 'iterations' },
    );

    const names = keyedSeries((s) => s.metrics.byName).slice(0, 12);
    chart(
      'byName',
      'p95 latency per request name',
      names.map((n) => ({ label: n || '(no name)' })),
      [x, ...names.map((n) => m.map((v) => v.byName[n]?.p95 ?? null))],
      { y: 'ms' },
    );
    const scenarios = keyedSeries((s) => s.metrics.byScenario);
    chart(
      'byScenario',
      'p95 latency per scenario',
      scenarios.map((n) => ({ label: n || '(none)' })),
      [x, ...scenarios.map((n) => m.map((v) => v.byScenario[n]?.p95 ?? null))],
      { y: 'ms' },
    );

    const services = document.getElementById('services');
    const resourceOf = (s, key) => s.services?.resources.find((r) => r.key === key);
    const resources = busiestResources();
    services.dataset.empty = String(resources.length === 0);
    if (resources.length === 0) return;
    const saturationLine = (u) => {
      const y = u.valToPos(SATURATED * 100, 'y', true);
      u.ctx.save();
      u.ctx.strokeStyle = '#dc2626';
      u.ctx.setLineDash([2, 6]);
      u.ctx.beginPath();
      u.ctx.moveTo(u.bbox.left, y);
      u.ctx.lineTo(u.bbox.left + u.bbox.width, y);
      u.ctx.stroke();
      u.ctx.restore();
    };
    const labels = resources.map((key) => ({ label: key, width: state.firstSaturation?.key === key ? 3 : 2 }));
    chart(
      'utilisation',
      'Utilisation per resource (busy slots ÷ slots)',
      labels,
      [x, ...resources.map((key) => state.snapshots.map((s) => (resourceOf(s, key) ? resourceOf(s, key).utilisation * 100 : null)))],
      {
        y: '%',
        scales: { y: { range: [0, 100] } },
        draw: saturationLine,
      },
    );
    chart(
      'queue',
      'Queue length per resource',
      labels,
      [x, ...resources.map((key) => state.snapshots.map((s) => resourceOf(s, key)?.queue ?? null))],
      { y: 'waiting' },
    );
    chart(
      'rejections',
      'Rejections per resource, per period',
      labels,
      [x, ...resources.map((key) => state.snapshots.map((s) => resourceOf(s, key)?.rejections ?? null))],
      { y: 'rejected' },
    );
  }

  function renderResources() {
    const first = state.firstSaturation;
    document.getElementById('first-saturation').textContent = first
      ? `First to saturate: ${first.key} at ${fmt.time(first.t)} (${fmt.pct(first.utilisation, 0)} busy${first.rejections > 0 ? `, ${fmt.num(first.rejections)} rejected` : ''}).`
      : state.config?.services?.length
        ? `No resource has saturated yet (saturated: ≥ ${SATURATED * 100} % busy, rejecting, or a growing queue). Scraping: ${state.config.services.join(', ')}.`
        : 'No service metrics: give the services’ Prometheus endpoints with --service-metrics URL (npm start and loadlab capacity --mocks do it for the local mocks).';
    const latest = [...state.snapshots].reverse().find((s) => s.services);
    const table = document.getElementById('resources');
    if (!latest) {
      table.replaceChildren();
      return;
    }
    table.replaceChildren(
      el('caption', {
        text: `Resources at ${fmt.time(latest.services.t)}${latest.services.unreachable.length ? ` · unreachable: ${latest.services.unreachable.map((u) => u.service).join(', ')}` : ''}`,
      }),
      el('thead', {}, [
        el(
          'tr',
          {},
          ['resource', 'slots', 'utilisation', 'queue', 'rejections', 'state'].map((h) => el('th', { text: h })),
        ),
      ]),
      el(
        'tbody',
        {},
        latest.services.resources.map((r) =>
          el('tr', { 'data-resource': r.key, 'data-saturated': String(r.saturated), class: first?.key === r.key ? 'first' : '' }, [
            el('td', { text: r.key }),
            el('td', { text: fmt.num(r.capacity) }),
            el('td', { text: fmt.pct(r.utilisation, 0) }),
            el('td', { text: fmt.num(r.queue) }),
            el('td', { text: fmt.num(r.rejections) }),
            el('td', { text: first?.key === r.key ? 'saturated first' : r.saturated ? 'saturated' : 'ok' }),
          ]),
        ),
      ),
    );
  }

  window.addEventListener('resize', () => {
    for (const [name, entry] of charts) {
      const box = document.querySelector(`[data-chart="${name}"]`);
      if (box) entry.plot.setSize({ width: Math.max(280, box.clientWidth - 16), height: 220 });
    }
  });

  const embedded = document.getElementById('events');
  if (embedded) {
    for (const { event, data } of JSON.parse(embedded.textContent)) handle(event, data);
    render();
  } else {
    const source = new EventSource('/events');
    for (const name of ['config', 'start', 'snapshot', 'cumulative', 'stop']) {
      source.addEventListener(name, (message) => {
        handle(name, JSON.parse(message.data));
        scheduleRender();
      });
    }
    source.addEventListener('open', () => {
      // A reconnect replays every event from the start: begin again from an empty page.
      Object.assign(state, { config: null, runs: [], snapshots: [], totals: null, firstSaturation: null, running: false, connected: true });
      for (const entry of charts.values()) entry.plot.destroy();
      charts.clear();
    });
    source.addEventListener('error', () => {
      state.connected = false;
      // The run ended and its server with it: the page keeps what it has.
      if (!state.running) source.close();
      scheduleRender();
    });
  }
})();
