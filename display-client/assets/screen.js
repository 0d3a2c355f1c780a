// A lobby screen: holds a WebSocket to the display-client, applies a snapshot and then
// deltas, reconnects with backoff forever, and announces calls in order. ES2017 at most
// (old TV boxes' WebViews); data goes in as text, never as markup.
(function () {
"use strict";
const { AnnounceQueue, clipChars } = window.HallqAnnounce;

const setup = JSON.parse(document.getElementById("setup").textContent);
const screen = setup.screen;
const $ = (id) => document.getElementById(id);
// Object.fromEntries is ES2019: old TV WebViews lack it.
const byKey = (list, key) => list.reduce((m, x) => { m[key(x)] = x; return m; }, {});
const winName = byKey(setup.windows, (w) => w.id);
const svcName = byKey(setup.services, (s) => s.id);
const shownWindows = screen.windows.length ? screen.windows : setup.windows.map((w) => w.id);
const shownServices = screen.services.length ? screen.services : setup.services.map((s) => s.id);
const bilingual = screen.language === "zh+en";

const state = { windows: {}, queues: {}, history: {}, calls: [], current: null, snapshots: 0, seen: new Set(), socketUp: false, brokerUp: true };

if (bilingual) document.body.classList.add("bilingual");
if (bilingual && setup.hall.name_en) $("title-en").textContent = setup.hall.name_en;
for (const el of document.querySelectorAll("[data-part]")) {
  if (screen.layout.indexOf(el.dataset.part) < 0) el.hidden = true;
}
$("notice").textContent = screen.notice || "";

// The hall's time (hall.time_zone), whatever the TV box's zone or clock.
function tick() {
  const c = window.HallClock;
  if (!c) return; // hallclock.js did not load: no clock rather than a blank screen
  $("clock").textContent = `${c.date()} ${c.parts().week} ${c.time()}`;
}
setInterval(tick, 1000);
tick();

/** An element with text (never markup from data) and optional class and children. */
function el(tag, cls, text, kids) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = String(text);
  (kids || []).forEach((k) => { if (k) e.appendChild(k); });
  return e;
}
/** The English name after the Chinese one, on a bilingual screen. */
function en(text) {
  return bilingual && text ? el("span", "en", text) : null;
}
function fill(box, kids) {
  box.textContent = "";
  kids.forEach((k) => box.appendChild(k));
}
function onThisScreen(call) {
  return shownWindows.indexOf(String(call.window)) >= 0;
}

// ---- what is called -------------------------------------------------------------------
// Every call the page knows, one entry per ticket at a window (a recall moves it to the
// front, it is not listed twice): from call events and from the windows' `serving` tickets
// (which is all a page has after the hall restarted). The big panel shows the newest entry
// that is still active: its window is open and serves that ticket now (or its state is
// older than the call). Cleared by a no-show, finish, transfer or pause of that window.
const HISTORY = 12;
function callKey(e) {
  return [Date.parse(e.called_at) || 0, e.event_id || 0];
}
function newer(a, b) {
  const x = callKey(a), y = callKey(b);
  return x[0] !== y[0] ? x[0] > y[0] : x[1] > y[1];
}
function remember(e, fromEvent) {
  const key = `${e.number}@${e.window}`;
  const old = state.history[key];
  if (old) {
    // A call event orders calls exactly (its event id); a window's state only by its
    // called_at (seconds): it replaces an entry only for a later call (a missed recall).
    if (fromEvent ? old.fromEvent && !newer(e, old) : !(callKey(e)[0] > callKey(old)[0])) return;
  }
  state.history[key] = {
    number: e.number, window: String(e.window), window_name: e.window_name, service: e.service,
    called_at: e.called_at, event_id: e.event_id, fromEvent: fromEvent,
  };
  const keys = Object.keys(state.history).sort((a, b) => (newer(state.history[a], state.history[b]) ? -1 : 1));
  keys.slice(HISTORY).forEach((k) => { delete state.history[k]; });
  state.calls = calls(); // newest first, for whoever inspects the page
}
function rememberServing(w) {
  const s = w && w.status === "open" ? w.serving : null;
  if (s && s.called_at && onThisScreen({ window: w.window })) {
    remember({ number: s.number, window: w.window, window_name: s.window_name, service: s.service, called_at: s.called_at, event_id: w.event_id }, false);
  }
}
function calls() {
  return Object.keys(state.history).map((k) => state.history[k]).sort((a, b) => (newer(a, b) ? -1 : 1));
}
function active(e) {
  const w = state.windows[e.window];
  // A window whose state is not known (yet, or after a restart) shows no call.
  if (!w || w.status !== "open") return false;
  if (w.serving) return w.serving.number === e.number;
  return e.fromEvent && (e.event_id || 0) > (w.event_id || 0);
}
function currentCall() {
  return calls().find(active) || null;
}

/** The big panel; it blinks when `fresh` (a call's key) is what it now shows. */
function renderCurrent(fresh) {
  const c = currentCall();
  const box = $("current");
  if (!c) {
    state.current = null;
    box.classList.remove("fresh");
    $("cur-number").textContent = "—";
    fill($("cur-window"), [document.createTextNode("欢迎光临"), en("Welcome")].filter(Boolean));
    $("cur-service").textContent = "";
    return;
  }
  state.current = `${c.number}@${c.window}`;
  const w = winName[c.window] || {};
  $("cur-number").textContent = c.number;
  fill($("cur-window"), [document.createTextNode(`到 ${c.window_name || w.name || c.window}`), en(w.name_en)].filter(Boolean));
  const s = svcName[c.service] || {};
  fill($("cur-service"), [document.createTextNode(s.name || c.service), en(s.name_en)].filter(Boolean));
  if (fresh === state.current) {
    box.classList.remove("fresh");
    void box.offsetWidth; // restart the blink
    box.classList.add("fresh");
  }
}

function renderRecent() {
  const list = calls().filter((c) => `${c.number}@${c.window}` !== state.current).slice(0, 6);
  fill($("recent"), list.map((c) => {
    const where = el("span", null, c.window_name || (winName[c.window] || {}).name || c.window);
    where.title = where.textContent;
    const li = el("li", null, null, [el("b", null, c.number), where]);
    li.setAttribute("data-call", `${c.number}@${c.window}`);
    return li;
  }));
}

/** A tile's status text: the number served, "—", "暂停服务 · reason" or "未开放". */
function tileText(w) {
  // Only an open window shows its number: a paused one says so (and why), and a closed one
  // (nobody signed in there, or after closing time; also before its state is known) reads
  // closed.
  const status = w ? w.status : "closed";
  if (status === "paused") return w.pause_reason ? `暂停服务 · ${w.pause_reason}` : "暂停服务";
  if (status === "closed") return "未开放";
  return w.serving ? w.serving.number : "—";
}

function renderWindows() {
  fill($("windows"), shownWindows.map((id) => {
    const w = state.windows[id];
    const conf = winName[id] || { name: id };
    const status = w ? w.status : "closed";
    const text = tileText(w);
    const num = el("span", "num", text);
    num.title = text; // a long pause reason ends in "…" on the tile
    const tile = el("div", status === "open" ? "win" : `win ${status}`, null, [el("span", "name", conf.name, [en(conf.name_en)]), num]);
    tile.setAttribute("data-window", id);
    return tile;
  }));
}

function renderQueues() {
  fill($("queues"), shownServices.map((id) => {
    const q = state.queues[id];
    const s = svcName[id] || { name: id };
    const name = el("span", null, s.name, [en(s.name_en)]);
    name.title = s.name;
    const row = el("div", "q", null, [name, el("b", null, `${q ? q.waiting : 0} 人`)]);
    row.setAttribute("data-service", id);
    return row;
  }));
}

function renderOffline() {
  $("offline").hidden = state.socketUp && state.brokerUp;
}

// ---- fitting ---------------------------------------------------------------------------
// Rows are never cut: the windows and queues shrink (down to 60 %) until they fit their
// column; whatever still does not fit, and the recent calls beyond the space left, are
// not shown at all (fewer rows rather than a cut one).
function bottomOf(e) {
  return e.getBoundingClientRect().bottom;
}
function hideOverflow(box, items) {
  const limit = bottomOf(box) + 0.5;
  items.forEach((e) => { e.hidden = false; });
  items.forEach((e) => { if (bottomOf(e) > limit) e.hidden = true; });
}
function fit() {
  // On a portrait display the columns dissolve (display: contents): the whole main fits.
  const right = document.querySelector(".right");
  const box = getComputedStyle(right).display === "contents" ? document.querySelector("main") : right;
  const rows = Array.prototype.slice.call(document.querySelectorAll("#windows .win, #queues .q"));
  let k = 1;
  right.style.setProperty("--k", k);
  rows.forEach((e) => { e.hidden = false; });
  const last = () => rows.filter((e) => !e.closest("[hidden]")).reduce((m, e) => Math.max(m, bottomOf(e)), 0);
  while (rows.length && last() > bottomOf(box) + 0.5 && k > 0.6) {
    k = Math.round((k - 0.05) * 100) / 100;
    right.style.setProperty("--k", k);
  }
  hideOverflow(box, rows);
  hideOverflow(document.querySelector(".recent"), Array.prototype.slice.call(document.querySelectorAll("#recent li")));
}
window.addEventListener("resize", fit);

function renderCalls(fresh) {
  renderCurrent(fresh);
  renderRecent();
  fit();
}

function renderAll() {
  renderCurrent(null);
  renderRecent();
  renderWindows();
  renderQueues();
  renderOffline();
  fit();
}

// ---- voice -------------------------------------------------------------------------
const queue = new AnnounceQueue({ template: screen.template, repeat: screen.repeat });
let audio = null;
function chime() {
  return new Promise((resolve) => {
    try {
      audio = audio || new AudioContext();
      const t = audio.currentTime;
      [880, 660].forEach((f, i) => {
        const o = audio.createOscillator();
        const g = audio.createGain();
        o.frequency.value = f;
        g.gain.setValueAtTime(0.25, t + i * 0.35);
        g.gain.exponentialRampToValueAtTime(0.001, t + i * 0.35 + 0.33);
        o.connect(g).connect(audio.destination);
        o.start(t + i * 0.35);
        o.stop(t + i * 0.35 + 0.34);
      });
    } catch (e) { /* no audio device: stay silent */ }
    setTimeout(resolve, 750);
  });
}
function zhVoice() {
  if (!("speechSynthesis" in window)) return null;
  return speechSynthesis.getVoices().find((v) => v.lang && v.lang.replace("_", "-").toLowerCase().indexOf("zh") === 0) || null;
}
// Recorded clips (one per character) for browsers without a Chinese voice.
const clips = new Map();
window.hallqClipsPlayed = 0;
function clipBuffer(c) {
  if (!clips.has(c)) {
    const name = c.codePointAt(0).toString(16).padStart(4, "0");
    clips.set(c, fetch(`assets/voice/${name}.wav`)
      .then((r) => (r.ok ? r.arrayBuffer() : null))
      .then((b) => (b ? audio.decodeAudioData(b) : null))
      .catch(() => null));
  }
  return clips.get(c);
}
async function playClips(text) {
  try {
    audio = audio || new AudioContext();
    const buffers = (await Promise.all(clipChars(text).map(clipBuffer))).filter(Boolean);
    let t = audio.currentTime + 0.05;
    for (const b of buffers) {
      const src = audio.createBufferSource();
      src.buffer = b;
      src.connect(audio.destination);
      src.start(t);
      t += b.duration + 0.04;
    }
    window.hallqClipsPlayed += buffers.length;
    await new Promise((r) => setTimeout(r, (t - audio.currentTime) * 1000 + 200));
  } catch (e) {
    await new Promise((r) => setTimeout(r, 300));
  }
}
function speak(text) {
  if (!screen.voice) return new Promise((r) => setTimeout(r, 300));
  if (!zhVoice()) return playClips(text);
  return new Promise((resolve) => {
    const u = new SpeechSynthesisUtterance(text);
    u.lang = "zh-CN";
    u.rate = 0.9;
    u.voice = zhVoice();
    // A voice that never reports its end must not stall the queue.
    const guard = setTimeout(resolve, 1500 + text.length * 400);
    u.onend = u.onerror = () => { clearTimeout(guard); resolve(); };
    speechSynthesis.speak(u);
  });
}
window.hallqAnnounced = [];
async function pump() {
  const text = queue.next();
  if (text === null) return;
  if (screen.chime) await chime();
  await speak(text);
  window.hallqAnnounced.push(text);
  queue.done();
  pump();
}

// ---- socket --------------------------------------------------------------------------
function apply(msg) {
  switch (msg.type) {
    case "snapshot":
      // A reconnect (or a restarted hall) replaces the state; the calls the page already
      // knew stay in its history, gated as ever by the windows' state.
      state.windows = byKey(msg.windows, (w) => String(w.window || w.id));
      state.queues = byKey(msg.queues, (q) => q.service);
      for (const c of msg.calls) {
        state.seen.add(c.event_id);
        if (onThisScreen(c)) remember(c, true);
      }
      for (const id in state.windows) rememberServing(state.windows[id]);
      state.brokerUp = msg.broker;
      state.snapshots += 1;
      renderAll();
      break;
    case "call":
      if (state.seen.has(msg.event_id) || !onThisScreen(msg)) break;
      state.seen.add(msg.event_id);
      remember(msg, true);
      renderCalls(`${msg.number}@${msg.window}`);
      queue.push(msg);
      pump();
      break;
    case "window":
      state.windows[String(msg.window)] = msg;
      rememberServing(msg);
      renderWindows();
      renderCalls(null);
      break;
    case "queue":
      state.queues[msg.service] = msg;
      renderQueues();
      fit();
      break;
    case "broker":
      state.brokerUp = msg.up;
      renderOffline();
      break;
  }
}

// Reconnect soon (0.25 s doubling to 1 s, plus up to 0.25 s so a hall's TVs do not all
// knock at once): a restarted hall is back on its screens within 2 s.
let delay = 250;
let watchdog = null;
function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  // The page is /screens/{id} at the root or /halls/{hall}/screens/{id} in a city.
  const ws = new WebSocket(`${proto}://${location.host}${location.pathname.replace(/\/+$/, "")}/ws`);
  const alive = () => {
    clearTimeout(watchdog);
    // The server sends at least a ping every 15 s; silence means a dead link.
    watchdog = setTimeout(() => ws.close(), 40000);
  };
  ws.onopen = () => { delay = 250; state.socketUp = true; alive(); renderOffline(); };
  ws.onmessage = (e) => { alive(); apply(JSON.parse(e.data)); };
  ws.onclose = () => {
    clearTimeout(watchdog);
    state.socketUp = false;
    renderOffline();
    setTimeout(connect, delay + Math.random() * 250);
    delay = Math.min(delay * 2, 1000);
  };
  ws.onerror = () => ws.close();
}
window.hallqState = state;
renderAll();
connect();
})();
