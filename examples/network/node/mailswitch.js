#!/usr/bin/env node
// mailswitch.js - a small message switch for Mina meddelanden style routing.
// Node.js 20, standard library only. Written from docs/network.md and
// docs/exchange.md alone, by someone who had not read Wrongbox's code: the
// suite's proof that the docs are enough (tests/net_node_test.sh).
//
// Intake API (JSON over HTTP):
//   POST /api/v1/letters   {"organisationNumber","reference","personalIdentityNumber",
//                           "heading","documents":[{"fileName","contentBase64"}]}
//        -> 202 {"queued": true, "letter": N}  |  4xx {"queued": false, "error": "..."}
//        The letter is journalled and routed in the same request (together with
//        anything still pending, in one batched registry lookup).
//   POST /admin/process    {"now": N}  retry pending work  -> {"idle": bool, "pending": N}
//   POST /admin/reset      forget everything (test isolation)
//   GET  /health
//
// Configuration (environment):
//   MS_PORT, MS_REGISTRY_URL, MS_PRINT_URL, MS_HOLD_URL, MS_RECEIPT_URL,
//   MS_PROTECTED_URL, MS_STATE_DIR (private, journal lives here, mode 0600),
//   MS_ROUTE_ON = "intake" (default: route in the intake request) or "tick"
//   (only queue on intake; route on /admin/process),
//   MS_DEBUG_FILE (optional, debugging only: appends every SOAP exchange,
//   content included, to that file - never set it in production).
//
// Planted defect (for Wrongbox): --bug wrong-recipient-on-batch matches the
// registry's isReachable answers to recipients by position instead of by
// RecipientId.

'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const BUG = (() => {
  const i = process.argv.indexOf('--bug');
  return i >= 0 ? process.argv[i + 1] : null;
})();
if (BUG && BUG !== 'wrong-recipient-on-batch') {
  process.stderr.write(`unknown --bug ${BUG}\n`);
  process.exit(2);
}

function env(name, def) {
  const v = process.env[name];
  if (v === undefined || v === '') {
    if (def !== undefined) return def;
    process.stderr.write(`mailswitch: missing environment variable ${name}\n`);
    process.exit(2);
  }
  return v;
}
const PORT = Number(env('MS_PORT'));
const REGISTRY = env('MS_REGISTRY_URL');
const PRINT = env('MS_PRINT_URL');
const HOLD = env('MS_HOLD_URL');
const RECEIPT = env('MS_RECEIPT_URL');
const PROTECTED = env('MS_PROTECTED_URL');
const STATE_DIR = env('MS_STATE_DIR');
const ROUTE_ON = env('MS_ROUTE_ON', 'intake'); // 'intake' or 'tick'
const MAX_DELIVERY_ROUNDS = 3;
const REQUEST_TIMEOUT_MS = 4000;

// Staff log: never person numbers, titles or document content.
function log(msg) { process.stderr.write(`mailswitch: ${msg}\n`); }

// ---------------------------------------------------------------- identities
function validPersonNumber(s) {
  if (typeof s !== 'string' || !/^[0-9]{12}$/.test(s)) return false;
  const year = Number(s.slice(0, 4));
  const month = Number(s.slice(4, 6));
  let day = Number(s.slice(6, 8));
  if (year < 1800 || year > 2099) return false;
  if (month < 1 || month > 12) return false;
  if (day > 60) day -= 60; // samordningsnummer
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (day < 1 || day > dim) return false;
  // Luhn over the last ten digits
  const ten = s.slice(2);
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(ten[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10 === Number(ten[9]);
}

// ---------------------------------------------------------------- journal
// state: { seq, accepted: { "org\u0000ref": true }, letters: [ letter... ] }
// letter: { n, org, ref, subject, title, parts:[{name,data}], stage: 'route'|'receipt',
//           status?: 'delivered'|'printed'|'held' }
let state = freshState();
function freshState() { return { seq: 0, accepted: {}, letters: [] }; }
const JOURNAL = path.join(STATE_DIR, 'journal.json');

function loadJournal() {
  try {
    state = JSON.parse(fs.readFileSync(JOURNAL, 'utf8'));
  } catch (e) {
    if (e.code !== 'ENOENT') log(`journal unreadable (${e.code || 'parse error'}), starting empty`);
    state = freshState();
  }
}
function saveJournal() {
  const tmp = JOURNAL + '.tmp';
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, JSON.stringify(state));
    fs.fsyncSync(fd);
  } finally { fs.closeSync(fd); }
  fs.renameSync(tmp, JOURNAL);
}
function keyOf(org, ref) { return `${org}\u0000${ref}`; }

// ---------------------------------------------------------------- HTTP client
function httpRequest(url, { method = 'POST', headers = {}, body = '' } = {}) {
  return new Promise((resolve, reject) => {
    let u;
    try { u = new URL(url); } catch (e) { reject(e); return; }
    const buf = Buffer.from(body, 'utf8');
    const req = http.request({
      hostname: u.hostname, port: u.port, path: u.pathname + u.search, method,
      headers: { 'Content-Length': buf.length, ...headers },
      agent: false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (!res.complete) { reject(new Error('answer cut off')); return; }
        resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('aborted', () => reject(new Error('answer aborted')));
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(buf);
  });
}
async function postJson(url, obj) {
  const r = await httpRequest(url, {
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(obj),
  });
  if (r.status < 200 || r.status >= 300) throw new Error(`HTTP ${r.status}`);
  try { return JSON.parse(r.body); } catch { throw new Error('answer is not JSON'); }
}

// ---------------------------------------------------------------- XML
function xmlEscape(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);
}
function xmlUnescape(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (m, e) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return String.fromCodePoint(cp);
    }
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e];
  });
}
// Minimal namespace-aware parser: elements {ns, local, children, text}.
function parseXml(src) {
  const root = { ns: null, local: '#document', children: [], text: '' };
  const stack = [{ el: root, nsmap: { xml: 'http://www.w3.org/XML/1998/namespace' } }];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) stack[stack.length - 1].el.text += xmlUnescape(src.slice(i, textEnd));
    if (lt < 0) break;
    if (src.startsWith('<?', lt)) { i = src.indexOf('?>', lt) + 2; if (i < 2) throw new Error('bad PI'); continue; }
    if (src.startsWith('<!--', lt)) { i = src.indexOf('-->', lt) + 3; if (i < 3) throw new Error('bad comment'); continue; }
    if (src.startsWith('<![CDATA[', lt)) {
      const e = src.indexOf(']]>', lt);
      if (e < 0) throw new Error('bad CDATA');
      stack[stack.length - 1].el.text += src.slice(lt + 9, e);
      i = e + 3; continue;
    }
    if (src.startsWith('<!', lt)) { i = src.indexOf('>', lt) + 1; if (i < 1) throw new Error('bad decl'); continue; }
    // find end of tag, respecting quotes
    let j = lt + 1; let q = null;
    for (; j < n; j++) {
      const c = src[j];
      if (q) { if (c === q) q = null; } else if (c === '"' || c === "'") q = c; else if (c === '>') break;
    }
    if (j >= n) throw new Error('unterminated tag');
    const inner = src.slice(lt + 1, j);
    i = j + 1;
    if (inner[0] === '/') {
      const name = inner.slice(1).trim();
      const top = stack.pop();
      if (!top || stack.length === 0 || top.qname !== name) throw new Error(`mismatched </${name}>`);
      continue;
    }
    const selfClose = inner.endsWith('/');
    const body = selfClose ? inner.slice(0, -1) : inner;
    const m = /^([^\s/>]+)/.exec(body);
    if (!m) throw new Error('bad tag');
    const qname = m[1];
    const attrs = {};
    const re = /([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g;
    let a;
    const rest = body.slice(qname.length);
    while ((a = re.exec(rest))) attrs[a[1]] = xmlUnescape(a[3] !== undefined ? a[3] : a[4]);
    const parent = stack[stack.length - 1];
    const nsmap = Object.assign({}, parent.nsmap);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'xmlns') nsmap[''] = v;
      else if (k.startsWith('xmlns:')) nsmap[k.slice(6)] = v;
    }
    const colon = qname.indexOf(':');
    const prefix = colon >= 0 ? qname.slice(0, colon) : '';
    const local = colon >= 0 ? qname.slice(colon + 1) : qname;
    const el = { ns: nsmap[prefix] || null, local, children: [], text: '' };
    parent.el.children.push(el);
    if (!selfClose) stack.push({ el, nsmap, qname });
  }
  if (stack.length !== 1) throw new Error('unclosed elements');
  return root;
}
function* descendants(el) {
  for (const c of el.children) { yield c; yield* descendants(c); }
}
function findFirst(el, local) {
  for (const d of descendants(el)) if (d.local === local) return d;
  return null;
}
function findAll(el, local, ns) {
  const out = [];
  for (const d of descendants(el)) if (d.local === local && (!ns || d.ns === ns)) out.push(d);
  return out;
}
function textOf(el) {
  if (!el) return null;
  let t = el.text;
  for (const c of el.children) t += textOf(c);
  return t.trim();
}

// ---------------------------------------------------------------- SOAP
const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  recV3: 'http://minameddelanden.gov.se/schema/Recipient/v3',
  rec: 'http://minameddelanden.gov.se/schema/Recipient',
  svcV3: 'http://minameddelanden.gov.se/schema/Service/v3',
  msgV3: 'http://minameddelanden.gov.se/schema/Message/v3',
  msgV2: 'http://minameddelanden.gov.se/schema/Message/v2',
  sender: 'http://minameddelanden.gov.se/schema/Sender',
  msg: 'http://minameddelanden.gov.se/schema/Message',
};
class Unavailable extends Error {}

async function soapCall(url, action, bodyXml) {
  const envelope = '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${NS.soap}"><soapenv:Header/><soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`;
  let r;
  try {
    r = await httpRequest(url, {
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${action}"` },
      body: envelope,
    });
  } catch (e) { throw new Unavailable(`${action}: ${e.message}`); }
  if (process.env.MS_DEBUG_FILE) fs.appendFileSync(process.env.MS_DEBUG_FILE, `>>> ${url}\n${envelope}\n<<< ${r.status}\n${r.body}\n\n`);
  if (r.status !== 200) throw new Unavailable(`${action}: HTTP ${r.status}`);
  let doc;
  try { doc = parseXml(r.body); } catch (e) { throw new Unavailable(`${action}: unreadable answer (${e.message})`); }
  if (findFirst(doc, 'Fault')) throw new Unavailable(`${action}: SOAP fault`);
  return doc;
}

// isReachable for one sender and several recipients -> Map(recipientId -> status)
async function isReachable(org, recipients) {
  const body = `<v3:isReachable xmlns:v3="${NS.recV3}"><v3:senderOrgNr>${xmlEscape(org)}</v3:senderOrgNr>` +
    recipients.map((r) => `<v3:recipientId>${xmlEscape(r)}</v3:recipientId>`).join('') +
    '</v3:isReachable>';
  const doc = await soapCall(REGISTRY, 'isReachable', body);
  const resp = findFirst(doc, 'isReachableResponse');
  if (!resp) throw new Unavailable('isReachable: no isReachableResponse');
  const returns = resp.children.filter((c) => c.local === 'return');
  const out = new Map();
  returns.forEach((ret, idx) => {
    const id = textOf(findFirst(ret, 'RecipientId'));
    const type = textOf(findFirst(ret, 'Type'));
    const supplier = findFirst(ret, 'ServiceSupplier');
    const address = supplier ? textOf(findFirst(supplier, 'ServiceAdress')) : null;
    const accepted = textOf(findFirst(ret, 'SenderAccepted'));
    const status = {
      id,
      mailbox: type && type !== 'Not' && address ? address : null,
      senderAccepted: accepted === null ? true : accepted === 'true' || accepted === '1',
    };
    if (BUG === 'wrong-recipient-on-batch') {
      // Planted defect: trusts the registry to answer in the order asked.
      if (idx < recipients.length) out.set(recipients[idx], status);
    } else if (id !== null) {
      out.set(id, status);
    }
  });
  return out;
}

function b64(s) { return Buffer.from(s, 'utf8').toString('base64'); }

// deliverSecure -> true (delivered) / false (Delivered=false); throws Unavailable
async function deliverSecure(serviceAddress, letter) {
  const url = new URL(serviceAddress, REGISTRY).toString();
  const [first, ...rest] = letter.parts;
  const attachments = rest.map((p) =>
    `<m3:Attachment><m:ContentType>text/plain</m:ContentType><m:Body>${b64(p.data)}</m:Body>` +
    `<m:Checksum>${require('node:crypto').createHash('md5').update(p.data, 'utf8').digest('hex')}</m:Checksum>` +
    `<m:Filename>${xmlEscape(p.name)}</m:Filename></m3:Attachment>`).join('');
  const body =
    `<s3:deliverSecure xmlns:s3="${NS.svcV3}" xmlns:m3="${NS.msgV3}" xmlns:m2="${NS.msgV2}" ` +
    `xmlns:snd="${NS.sender}" xmlns:m="${NS.msg}">` +
    '<s3:deliverSecure>' +
    '<m3:SignedDelivery><m3:Delivery>' +
    '<m3:Header>' +
    `<m2:Sender><snd:Id>${xmlEscape(letter.org)}</snd:Id><snd:Name>${xmlEscape(letter.org)}</snd:Name></m2:Sender>` +
    `<m2:Recipient>${xmlEscape(letter.subject)}</m2:Recipient>` +
    `<m2:Reference>${xmlEscape(letter.ref)}</m2:Reference>` +
    '</m3:Header>' +
    '<m3:Message>' +
    `<m3:Header><m3:Id>${xmlEscape(letter.ref)}</m3:Id><m3:Subject>${xmlEscape(letter.title)}</m3:Subject>` +
    '<m3:Supportinfo><m3:Text>Kontakta avsändaren</m3:Text></m3:Supportinfo><m3:Language>svSE</m3:Language></m3:Header>' +
    `<m3:Body><m:ContentType>text/plain</m:ContentType><m:Body>${b64(first.data)}</m:Body></m3:Body>` +
    attachments +
    '</m3:Message>' +
    '</m3:Delivery></m3:SignedDelivery>' +
    '<m3:Seal><m:ReceivedTime>' + new Date().toISOString() + '</m:ReceivedTime><m:SignaturesOK>true</m:SignaturesOK></m3:Seal>' +
    '</s3:deliverSecure></s3:deliverSecure>';
  const doc = await soapCall(url, 'deliverSecure', body);
  const resp = findFirst(doc, 'deliverSecureResponse');
  if (!resp) throw new Unavailable('deliverSecure: no deliverSecureResponse');
  const statuses = findAll(resp, 'Status');
  for (const st of statuses) {
    const rid = textOf(findFirst(st, 'RecipientId'));
    if (rid === null || rid === letter.subject) {
      return textOf(findFirst(st, 'Delivered')) === 'true';
    }
  }
  throw new Unavailable('deliverSecure: no status for the recipient');
}

function asMessage(letter) {
  return { sender: letter.org, id: letter.ref, subject: letter.subject, title: letter.title,
    parts: letter.parts.map((p) => ({ name: p.name, data: p.data })) };
}

// ---------------------------------------------------------------- routing
// Routes every pending letter. Returns nothing; state is updated in place.
async function routePending() {
  // 1. receipts owed
  for (const l of state.letters) {
    if (l.stage !== 'receipt') continue;
    try {
      await postJson(RECEIPT, { sender: l.org, id: l.ref, status: l.status });
      l.stage = 'done';
    } catch (e) { log(`letter #${l.n}: receipt not sent (${e.message}), will retry`); }
  }
  let todo = state.letters.filter((l) => l.stage === 'route');
  let operatorDown = new Set();
  for (let round = 0; round < MAX_DELIVERY_ROUNDS && todo.length > 0; round++) {
    // one batched lookup per sender organisation
    const bySender = new Map();
    for (const l of todo) {
      if (!bySender.has(l.org)) bySender.set(l.org, []);
      const subs = bySender.get(l.org);
      if (!subs.includes(l.subject)) subs.push(l.subject);
    }
    const answers = new Map(); // org -> Map
    let registryDown = false;
    for (const [org, subjects] of bySender) {
      try {
        answers.set(org, await isReachable(org, subjects));
      } catch (e) {
        if (!(e instanceof Unavailable)) throw e;
        log(`registry unavailable (${e.message}); ${todo.length} letter(s) wait`);
        registryDown = true;
        break;
      }
    }
    if (registryDown) return;
    const again = [];
    const stale = new Set(); // persons whose mailbox vanished during this round
    for (const l of todo) {
      if (stale.has(l.subject)) { again.push(l); continue; }
      const st = answers.get(l.org).get(l.subject);
      if (!st) { log(`letter #${l.n}: registry gave no answer for its recipient; waits`); continue; }
      if (st.mailbox && st.senderAccepted) {
        const opKey = new URL(st.mailbox, REGISTRY).toString();
        if (operatorDown.has(opKey)) continue;
        let ok;
        try {
          ok = await deliverSecure(st.mailbox, l);
        } catch (e) {
          if (!(e instanceof Unavailable)) throw e;
          log(`letter #${l.n}: operator unavailable (${e.message}); waits`);
          operatorDown.add(opKey);
          continue;
        }
        if (ok) { finish(l, 'delivered'); } else {
          log(`letter #${l.n}: operator has no such mailbox; looking up again`);
          stale.add(l.subject);
          again.push(l);
        }
        continue;
      }
      // paper, unless protected
      let prot;
      try {
        const r = await postJson(PROTECTED, { person: l.subject });
        if (typeof r.protected !== 'boolean') throw new Error('no "protected" in answer');
        prot = r.protected;
      } catch (e) {
        log(`letter #${l.n}: protected-identity register unavailable (${e.message}); waits`);
        continue;
      }
      try {
        if (prot) {
          await postJson(HOLD, { message: asMessage(l), reason: 'recipient has protected identity and no reachable mailbox' });
          finish(l, 'held');
        } else {
          await postJson(PRINT, { person: l.subject, message: asMessage(l) });
          finish(l, 'printed');
        }
      } catch (e) {
        log(`letter #${l.n}: ${prot ? 'hold' : 'print'} failed (${e.message}); waits`);
      }
    }
    todo = again;
  }
  // receipts for what was handled now
  for (const l of state.letters) {
    if (l.stage !== 'receipt') continue;
    try {
      await postJson(RECEIPT, { sender: l.org, id: l.ref, status: l.status });
      l.stage = 'done';
    } catch (e) { log(`letter #${l.n}: receipt not sent (${e.message}), will retry`); }
  }
}
function finish(l, status) {
  l.stage = 'receipt';
  l.status = status;
  // content is no longer needed once handed on
  l.title = ''; l.parts = [];
  log(`letter #${l.n}: ${status}`);
}
function compact() {
  state.letters = state.letters.filter((l) => l.stage !== 'done');
}
function pendingCount() { return state.letters.length; }

// ---------------------------------------------------------------- server
let chain = Promise.resolve();
function serialized(fn) {
  const p = chain.then(fn, fn);
  chain = p.catch(() => {});
  return p;
}
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
function reply(res, status, obj) {
  const s = JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(s) });
  res.end(s);
}
function isB64(s) { return typeof s === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0; }

async function intake(body) {
  let j;
  try { j = JSON.parse(body); } catch { return [400, { queued: false, error: 'body is not JSON' }]; }
  const org = j.organisationNumber; const ref = j.reference;
  if (typeof org !== 'string' || !/^[0-9]{10,12}$/.test(org)) return [400, { queued: false, error: 'invalid organisationNumber' }];
  if (typeof ref !== 'string' || ref === '') return [400, { queued: false, error: 'missing reference' }];
  if (!validPersonNumber(j.personalIdentityNumber)) return [422, { queued: false, error: 'invalid personalIdentityNumber' }];
  if (typeof j.heading !== 'string') return [400, { queued: false, error: 'missing heading' }];
  if (!Array.isArray(j.documents) || j.documents.length === 0) return [422, { queued: false, error: 'a letter needs at least one document' }];
  const parts = [];
  for (const d of j.documents) {
    if (!d || typeof d.fileName !== 'string' || !isB64(d.contentBase64)) return [400, { queued: false, error: 'bad document' }];
    parts.push({ name: d.fileName, data: Buffer.from(d.contentBase64, 'base64').toString('utf8') });
  }
  const k = keyOf(org, ref);
  if (state.accepted[k]) return [409, { queued: false, error: 'duplicate reference for this organisation' }];
  state.accepted[k] = true;
  const n = ++state.seq;
  state.letters.push({ n, org, ref, subject: j.personalIdentityNumber, title: j.heading, parts, stage: 'route' });
  saveJournal();
  log(`letter #${n} accepted`);
  if (ROUTE_ON === 'intake') {
    await routePending();
    compact();
    saveJournal();
  }
  return [202, { queued: true, letter: n }];
}

async function processPending() {
  await routePending();
  compact();
  saveJournal();
  return [200, { idle: pendingCount() === 0, pending: pendingCount() }];
}

function reset() {
  state = freshState();
  saveJournal();
  return [200, { ok: true }];
}

const server = http.createServer(async (req, res) => {
  try {
    const body = await readBody(req);
    const url = req.url.split('?')[0];
    let out;
    if (req.method === 'GET' && url === '/health') out = [200, { ok: true }];
    else if (req.method === 'POST' && url === '/api/v1/letters') out = await serialized(() => intake(body));
    else if (req.method === 'POST' && url === '/admin/process') out = await serialized(() => processPending());
    else if (req.method === 'POST' && url === '/admin/reset') out = await serialized(() => reset());
    else out = [404, { error: 'no such endpoint' }];
    reply(res, out[0], out[1]);
  } catch (e) {
    log(`internal error: ${e && e.message ? e.message.slice(0, 200) : 'unknown'}`);
    reply(res, 500, { error: 'internal error' });
  }
});
server.keepAliveTimeout = 30000;

fs.mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
loadJournal();
server.listen(PORT, '127.0.0.1');
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
