// Switchboard's wallboard: per queue, calls waiting, the longest wait (ticking), the service level and agents by state.
// Figures come from GET /queues/{id}/stats; GET /events says when a queue's figures changed, and the queue is read
// again (at most twice a second per queue). Every 5 s all are read anyway (#refresh=<seconds> changes it; 0 turns it
// off): agents going on break are no call events.
// The viewer key comes from the address's fragment (#key=…, never sent to the server) or the form, and goes in an
// Authorization header, which EventSource cannot send: the stream is read with fetch() and a stream reader instead.
'use strict';

const REFRESH_MIN_MS = 500;
const RECONNECT_MS = 1_000;
const STATES = [
  ['available', 'available'],
  ['ringing', 'ringing'],
  ['on_call', 'on call'],
  ['wrap_up', 'wrap-up'],
  ['break', 'break'],
  ['offline', 'offline'],
];
const ENDED = new Set(['call.completed', 'call.abandoned', 'call.unanswered', 'call.failed']);

const fragment = new URLSearchParams(location.hash.slice(1));
let key = fragment.get('key') || sessionStorage.getItem('switchboard.viewerKey');
const onlyQueues = (fragment.get('queues') || '').split(',').filter(Boolean);
// Seconds between readings of every queue whatever the stream says (#refresh=…; 0: only when the stream says so).
const refreshAllMs = Number(fragment.get('refresh') ?? 5) * 1000;

/** Queue id → { name, el, stats, readAt, lastRead, timer }. */
const queues = new Map();
/** Call id → the queue (or ring group) it is at, learned from its events. */
const callAt = new Map();
let refreshAllTimer = null;

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class HttpError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function api(path, headers = {}) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${key}`, ...headers }, cache: 'no-store' });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new HttpError(response.status, problem.detail || `${path}: HTTP ${response.status}`);
  }
  return response;
}

function showProblem(text) {
  $('problem').textContent = text;
  $('problem').hidden = !text;
}

function setConnection(state, text) {
  $('connection').dataset.state = state;
  $('connection').textContent = text;
}

function askForKey(reason) {
  showProblem(reason || '');
  $('key-form').hidden = false;
  $('key').focus();
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function figure(name, label) {
  const box = element('div', 'figure');
  const value = element('span', 'value', '–');
  value.dataset.figure = name;
  box.append(value, element('span', 'label', label));
  return box;
}

function card(queue) {
  const el = element('section', 'queue');
  el.dataset.queueId = queue.id;
  const figures = element('div', 'figures');
  figures.append(figure('waiting', 'waiting'), figure('longest-wait', 'longest wait'), figure('service-level', 'service level'));
  const agents = element('div', 'agents');
  for (const [state, label] of STATES) {
    const item = element('span', state);
    const n = element('span', 'n', '–');
    n.dataset.figure = `agents-${state}`;
    item.append(n, ` ${label}`);
    agents.append(item);
  }
  el.append(element('h2', '', queue.name), figures, agents);
  return el;
}

const minutes = (sec) => `${Math.floor(sec / 60)}:${String(Math.floor(sec % 60)).padStart(2, '0')}`;

function setValue(el, name, text, tone) {
  const value = el.querySelector(`[data-figure="${name}"]`);
  value.textContent = text;
  if (tone !== undefined) value.className = `value ${tone}`;
}

/** The longest wait as of now: the figure read, plus the time since it was read. */
function longestWaitNow(q) {
  const read = q.stats.now.longestWaitSec;
  return read === null ? null : read + (Date.now() - q.readAt) / 1000;
}

function render(q) {
  const { now, window: w } = q.stats;
  setValue(q.el, 'waiting', String(now.waiting), now.waiting > 0 ? 'warn' : 'good');
  const sl = w.serviceLevel;
  setValue(q.el, 'service-level', sl === null ? '–' : `${Math.round(sl * 100)}%`, sl === null ? '' : sl >= 0.8 ? 'good' : sl >= 0.6 ? 'warn' : 'bad');
  q.el.querySelector('[data-figure="service-level"]').nextElementSibling.textContent = `service level (${w.serviceLevelSec} s)`;
  for (const [state] of STATES) setValue(q.el, `agents-${state}`, String(now.agents[state] ?? 0));
  tick(q);
}

function tick(q) {
  if (!q.stats) return;
  const wait = longestWaitNow(q);
  setValue(q.el, 'longest-wait', wait === null ? '0:00' : minutes(wait), wait === null ? 'good' : wait > q.stats.window.serviceLevelSec ? 'bad' : 'warn');
}

async function refresh(q) {
  q.lastRead = performance.now();
  try {
    const stats = await (await api(`/queues/${q.id}/stats`)).json();
    q.stats = stats;
    q.readAt = Date.now();
    render(q);
  } catch (error) {
    if (error.status === 404) {
      q.el.remove();
      queues.delete(q.id);
    } else if (error.status === 401 || error.status === 403) {
      askForKey(error.message);
    }
  }
}

/** Reads a queue's figures again, at most once per REFRESH_MIN_MS. */
function scheduleRefresh(id) {
  const q = queues.get(id);
  if (!q || q.timer) return;
  const wait = Math.max(0, q.lastRead + REFRESH_MIN_MS - performance.now());
  q.timer = setTimeout(() => {
    q.timer = null;
    void refresh(q);
  }, wait);
}

function scheduleRefreshAll() {
  for (const id of queues.keys()) scheduleRefresh(id);
}

function onEvent(event) {
  if (event.type === 'call.received') callAt.set(event.callId, event.data.destinationId);
  if (event.type === 'call.queued') callAt.set(event.callId, event.data.queueId);
  if (event.type === 'call.overflowed') {
    if (event.data.from.id) scheduleRefresh(event.data.from.id);
    if (event.data.to.id) callAt.set(event.callId, event.data.to.id);
  }
  const at = callAt.get(event.callId);
  // A call that began before the page did: it is at one of the queues, but which is not known here.
  if (at === undefined) scheduleRefreshAll();
  else scheduleRefresh(at);
  if (ENDED.has(event.type)) callAt.delete(event.callId);
}

/** Reads GET /events for as long as the page is open, resuming after the last event seen whenever it ends. */
async function follow() {
  let lastEventId = null;
  for (;;) {
    try {
      const response = await api('/events', lastEventId ? { 'last-event-id': lastEventId } : {});
      setConnection('live', 'live');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id:')) lastEventId = line.slice(3).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trimStart();
          }
          if (data) onEvent(JSON.parse(data));
        }
      }
    } catch (error) {
      if (error.status === 401 || error.status === 403) return askForKey(error.message);
    }
    setConnection('off', 'reconnecting…');
    await sleep(RECONNECT_MS);
  }
}

async function loadQueues() {
  const found = [];
  let cursor = null;
  do {
    const page = await (await api(`/queues?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json();
    found.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const shown = onlyQueues.length ? found.filter((q) => onlyQueues.includes(q.id)) : found;
  shown.sort((a, b) => a.name.localeCompare(b.name));
  $('queues').replaceChildren();
  queues.clear();
  for (const queue of shown) {
    const q = { id: queue.id, name: queue.name, el: card(queue), stats: null, readAt: 0, lastRead: 0, timer: null };
    queues.set(queue.id, q);
    $('queues').append(q.el);
  }
}

async function run() {
  $('key-form').hidden = true;
  showProblem('');
  try {
    await loadQueues();
  } catch (error) {
    return askForKey(error.status === 401 || error.status === 403 ? `${error.message}: a viewer key is needed` : error.message);
  }
  if (queues.size === 0) showProblem('No queues yet.');
  await Promise.all([...queues.values()].map(refresh));
  clearInterval(refreshAllTimer);
  if (refreshAllMs > 0) refreshAllTimer = setInterval(scheduleRefreshAll, refreshAllMs);
  void follow();
}

setInterval(() => {
  $('clock').textContent = new Date().toLocaleTimeString();
  for (const q of queues.values()) tick(q);
}, 1_000);

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  key = $('key').value.trim();
  sessionStorage.setItem('switchboard.viewerKey', key);
  void run();
});

if (key) void run();
else askForKey();
