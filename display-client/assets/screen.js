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

const state = { windows: {}, queues: {}, calls: [], seen: new Set(), socketUp: false, brokerUp: true };

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

function renderCurrent(fresh) {
  const c = state.calls[0];
  if (!c) return;
  const w = winName[c.window] || {};
  $("cur-number").textContent = c.number;
  fill($("cur-window"), [document.createTextNode(`到 ${c.window_name || w.name || c.window}`), en(w.name_en)].filter(Boolean));
  const s = svcName[c.service] || {};
  fill($("cur-service"), [document.createTextNode(s.name || c.service), en(s.name_en)].filter(Boolean));
  if (fresh) {
    const box = $("current");
    box.classList.remove("fresh");
    void box.offsetWidth; // restart the blink
    box.classList.add("fresh");
  }
}

function renderRecent() {
  fill($("recent"), state.calls.slice(1, 7).map((c) => el("li", null, null, [el("b", null, c.number), el("span", null, c.window_name || c.window)])));
}

function renderWindows() {
  fill($("windows"), shownWindows.map((id) => {
    const w = state.windows[id];
    const conf = winName[id] || { name: id };
    // Only an open window shows its number: a paused one says so, and a closed one (nobody
    // signed in there, or after closing time; also before its state is known) reads closed.
    const status = w ? w.status : "closed";
    const num = status === "paused" ? "暂停服务" : status === "closed" ? "未开放" : w.serving ? w.serving.number : "—";
    const tile = el("div", status === "open" ? "win" : `win ${status}`, null, [el("span", null, conf.name, [en(conf.name_en)]), el("span", "num", num)]);
    tile.setAttribute("data-window", id);
    return tile;
  }));
}

function renderQueues() {
  fill($("queues"), shownServices.map((id) => {
    const q = state.queues[id];
    const s = svcName[id] || { name: id };
    const row = el("div", "q", null, [el("span", null, s.name, [en(s.name_en)]), el("b", null, `${q ? q.waiting : 0} 人`)]);
    row.setAttribute("data-service", id);
    return row;
  }));
}

function renderOffline() {
  $("offline").hidden = state.socketUp && state.brokerUp;
}

function renderAll() {
  renderCurrent(false);
  renderRecent();
  renderWindows();
  renderQueues();
  renderOffline();
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
    clips.set(c, fetch(`/screens/assets/voice/${name}.wav`)
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
      state.windows = byKey(msg.windows, (w) => String(w.window || w.id));
      state.queues = byKey(msg.queues, (q) => q.service);
      state.calls = msg.calls.filter(onThisScreen);
      for (const c of msg.calls) state.seen.add(c.event_id);
      state.brokerUp = msg.broker;
      renderAll();
      break;
    case "call":
      if (state.seen.has(msg.event_id) || !onThisScreen(msg)) break;
      state.seen.add(msg.event_id);
      state.calls.unshift(msg);
      state.calls.length = Math.min(state.calls.length, 12);
      renderCurrent(true);
      renderRecent();
      queue.push(msg);
      pump();
      break;
    case "window":
      state.windows[String(msg.window)] = msg;
      renderWindows();
      break;
    case "queue":
      state.queues[msg.service] = msg;
      renderQueues();
      break;
    case "broker":
      state.brokerUp = msg.up;
      renderOffline();
      break;
  }
}

let delay = 500;
let watchdog = null;
function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${proto}://${location.host}/screens/${encodeURIComponent(screen.id)}/ws`);
  const alive = () => {
    clearTimeout(watchdog);
    // The server sends at least a ping every 15 s; silence means a dead link.
    watchdog = setTimeout(() => ws.close(), 40000);
  };
  ws.onopen = () => { delay = 500; state.socketUp = true; alive(); renderOffline(); };
  ws.onmessage = (e) => { alive(); apply(JSON.parse(e.data)); };
  ws.onclose = () => {
    clearTimeout(watchdog);
    state.socketUp = false;
    renderOffline();
    setTimeout(connect, delay + Math.random() * 250);
    delay = Math.min(delay * 2, 5000);
  };
  ws.onerror = () => ws.close();
}
window.hallqState = state;
renderAll();
connect();
})();
