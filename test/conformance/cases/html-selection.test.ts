// k6/html: parseHTML and the goquery-style Selection, Element objects, and the Response helpers
// built on them (res.html(), res.submitForm(), res.clickLink()). k6's documented examples in
// k6's synchronous style, aimed at the local target's page (routes/http-api.ts).
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const HEAD = `import http from 'k6/http';\nimport { check, sleep } from 'k6';\nimport { parseHTML } from 'k6/html';\n`;
const seen = (expr: string) => `check(null, { [${expr}]: () => true });`;
/** Records every entry of `out` as its own check, so a difference shows which accessor differs. */
const RECORD = `function record(prefix, out) { for (const k of Object.keys(out)) ${seen("prefix + ' ' + k + ' = ' + JSON.stringify(out[k])")} }\n`;

describeConformance('k6/html', () => {
  conformance('parseHTML: title and attributes (k6 docs example)', {
    script: `${HEAD}export default function () {
  const res = http.get(__ENV.TARGET + '/api/page');
  const doc = parseHTML(res.body); // equivalent to res.html()
  const pageTitle = doc.find('head title').text();
  const langAttr = doc.find('html').attr('lang');
  ${seen("'title ' + pageTitle + ' lang ' + langAttr")}
  ${seen("'same as res.html() ' + (res.html().find('title').text() === pageTitle) + ' ' + res.html('li').size()")}
}`,
    workers: [1],
  });

  conformance('Selection traversal, filtering and values', {
    script: `${HEAD}${RECORD}export default function () {
  const d = http.get(__ENV.TARGET + '/api/page').html();
  record('sel', {
    html: d.find('#main').html(), text: d.find('p').text(), size: d.find('li').size(),
    attr: d.find('#main').attr('class'), attrMissing: String(d.find('#main').attr('nope')), attrDefault: d.find('#main').attr('nope', 'dflt'),
    data: d.find('#main').data(), dataKey: d.find('#main').data('userId'), dataJson: d.find('#main').data('json'),
    map: d.find('li').map((i, s) => s.text() + i), filter: d.find('li').filter('.odd').text(),
    filterFn: d.find('li').filter((i, s) => s.text() !== '2').size(), eqNeg: d.find('li').eq(-1).text(),
    first: d.find('li').first().text(), last: d.find('li').last().text(), children: d.find('ul').children().size(),
    childrenSel: d.find('ul').children('.odd').size(), parent: d.find('li').parent().attr('id'), parents: d.find('li').first().parents().size(),
    closest: d.find('br').closest('div').attr('id'), next: d.find('li').first().next().text(), nextAll: d.find('li').first().nextAll().size(),
    prev: d.find('li').last().prev().text(), prevAll: d.find('li').last().prevAll().size(), nextUntil: d.find('li').first().nextUntil('.odd').size(),
    prevUntil: d.find('li').last().prevUntil('li:first-child').size(), parentsUntil: d.find('li').first().parentsUntil('body').size(),
    is: d.find('li').is('.odd'), isFn: d.find('li').is((i, s) => s.text() === '9'), has: d.find('div').has('span').size(), not: d.find('li').not('.odd').size(),
    notFn: d.find('li').not((i, s) => i === 0).size(), slice: d.find('li').slice(1, 3).text(), sliceOpen: d.find('li').slice(2).size(),
    get: typeof d.find('li').get(0), getAll: d.find('li').get().length, getOut: String(d.find('li').get(10)), toArray: d.find('li').toArray().map((s) => s.text()),
    index: d.find('.odd').index(), indexOf: d.find('li').index('.odd'), contents: d.find('p').first().contents().size(), end: d.find('ul').find('li').end().size(),
    add: d.find('ul').add('a').size(), siblings: d.find('.odd').siblings().size(), emptyHtml: d.find('nope').html(), emptyText: d.find('nope').text(),
    table: d.find('tbody tr').map((i, s) => s.find('td').text()),
  });
  const each = [];
  d.find('li').each((i, e) => each.push(i + ':' + e.nodeName() + ':' + e.textContent()));
  ${seen("'each ' + each.join(' ')")}
}`,
    workers: [1],
  });

  conformance('form values: val(), serialize(), serializeArray(), serializeObject()', {
    script: `${HEAD}${RECORD}export default function () {
  const d = http.get(__ENV.TARGET + '/api/page').html();
  const v = (s) => d.find(s).val();
  record('val', { user: v('[name=user]'), remember: v('[name=remember]'), level: v('[name=level]'), tags: v('[name=tags]'), note: v('[name=note]'), btn: v('[name=btn]'), none: String(v('ul')) });
  const form = d.find('#login');
  ${seen("'serialize ' + form.serialize()")}
  ${seen("'serializeArray ' + JSON.stringify(form.serializeArray())")}
  ${seen("'serializeObject ' + JSON.stringify(Object.entries(form.serializeObject()).sort())")}
}`,
    workers: [1],
  });

  conformance('Element objects: DOM accessors and tag-specific methods', {
    script: `${HEAD}${RECORD}export default function () {
  const res = http.get(__ENV.TARGET + '/api/page');
  const d = res.html();
  const div = d.find('#main').get(0);
  record('div', { id: div.id(), className: div.className(), classList: div.classList(), childElementCount: div.childElementCount(), innerHTML: div.innerHTML(),
    nodeType: div.nodeType(), nodeName: div.nodeName(), hasAttributes: div.hasAttributes(), attrs: Object.keys(div.attributes()).sort(), getAttribute: div.getAttribute('data-name'),
    hasAttribute: div.hasAttribute('id'), firstChild: div.firstChild().nodeName(), lastChild: div.lastChild().nodeName(), firstElementChild: div.firstElementChild().nodeName(),
    qs: div.querySelector('p').textContent(), qsa: div.querySelectorAll('p').length, byTag: div.getElementsByTagName('span').length, byClass: div.getElementsByClassName('x').length,
    matches: div.matches('div.card'), toString: div.toString(), parentNode: div.parentNode().nodeName(), parentElement: div.parentElement().nodeName(),
    ownerDoc: div.ownerDocument().nodeName(), nsURI: div.namespaceURI(), lang: String(div.lang()), children: div.children().length, childNodes: div.childNodes().length,
    nextElementSibling: div.nextElementSibling().nodeName(), hasChildNodes: div.hasChildNodes(), contains: div.contains(d.find('span').get(0)), containsSelf: div.contains(div) });
  const [a1, a2, abs] = d.find('a').toArray().map((s) => s.get(0));
  for (const [name, a] of [['a1', a1], ['a2', a2], ['abs', abs]]) {
    record(name, { href: a.href(), hash: a.hash(), host: a.host(), hostname: a.hostname(), port: a.port(), origin: a.origin(), pathname: a.pathname(), search: a.search(),
      protocol: a.protocol(), username: a.username(), password: a.password(), rel: a.rel(), relList: a.relList(), text: a.text(), toString: a.toString() });
  }
  const login = d.find('#login').get(0);
  record('form', { method: login.method(), action: login.action(), length: login.length(), elements: login.elements().length, enctype: login.enctype(), id: login.id() });
  const user = d.find('[name=user]').get(0);
  record('input', { name: user.name(), type: user.type(), value: user.value(), form: user.form().id(), formAction: user.formAction(), formMethod: user.formMethod(), formEnctype: user.formEnctype() });
  const level = d.find('[name=level]').get(0);
  record('select', { options: level.options().length, selectedIndex: level.selectedIndex(), value: level.value(), type: level.type(), length: level.length() });
  const option = d.find('option').get(1);
  record('option', { text: option.text(), value: option.value(), index: option.index(), label: option.label(), disabled: option.disabled() });
  const btn = d.find('button').get(0);
  record('button', { value: btn.value(), type: btn.type(), name: btn.name() });
  const img = d.find('img').get(0);
  record('img', { src: img.src(), width: img.width(), height: img.height(), alt: img.alt() });
  const row = d.find('tbody tr').get(1);
  record('tr', { cells: row.cells().length, rowIndex: row.rowIndex(), sectionRowIndex: row.sectionRowIndex() });
  record('title', { text: d.find('title').get(0).text() });
}`,
    workers: [1],
  });

  conformance('Response.submitForm() and Response.clickLink() (k6 docs examples)', {
    script: `${HEAD}export default function () {
  // Request page containing a form
  let res = http.get(__ENV.TARGET + '/api/page');
  // Now, submit form setting/overriding some fields of the form
  const posted = res.submitForm({ formSelector: '#login', fields: { user: 'an', extra: 'x' } });
  ${seen("'submitted ' + posted.request.method + ' ' + posted.url.replace(__ENV.TARGET, '') + ' ' + posted.json().body + ' ' + posted.json().contentType")}
  const searched = res.submitForm({ formSelector: '#search', submitSelector: '[name=go]' });
  ${seen("'get form ' + searched.request.method + ' ' + searched.json().query + ' ' + searched.json().body")}
  const link = res.clickLink();
  ${seen("'first link ' + link.status + ' ' + link.json().query")}
  const second = res.clickLink({ selector: 'a[rel~=next]', params: { tags: { name: 'second-link' } } });
  ${seen("'second link ' + second.status + ' ' + second.url.replace(__ENV.TARGET, '')")}
  let problem = 'none';
  try { res.submitForm({ formSelector: '#nope' }); } catch (e) { problem = String(e).includes("no form found for selector '#nope'") ? 'no form' : String(e); }
  ${seen("'missing form ' + problem")}
  sleep(0.1);
}`,
    workers: [1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine])
        expect(run.jsonPoints.some((p) => p.metric === 'http_reqs' && p.tags.name === 'second-link')).toBe(true);
    },
  });
});
