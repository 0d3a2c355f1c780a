/* The clerk panel (/clerk, served as /assets/clerk.js), run from the keyboard all day.
 * Keys: F1 call next (finishes the current), F2 recall, F3 no-show, Shift+F3 false
 * information (both sent after 5 s unless undone with Esc), F4 finish, F5 start, F6 the
 * transfer field, F7 the pause field (resume when paused), F8 "call a number", F9 "verify
 * ID", F10 today's no-shows (Enter calls one back). Enter submits the focused field, Esc
 * clears it or cancels what is pending. The panel shows GET /windows/{w}/desk, fetched
 * again after each action and each snapshot of the staff events socket (debounced).
 * Offline (socket down or a request failed on the network): a banner, buttons disabled,
 * keys flash the banner. Test hooks: window.hallqClerkLive, hallqChimes, hallqOffline,
 * hallqOfflineFlashes, hallqDeskLoads. Needs dom.js and signin.js. ES5. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var h = HallqDom.h, fill = HallqDom.fill;
  var token = null, me = null, snap = null, desk = null, sock = null;
  var sockDown = false, netDown = false, probing = false;
  var chain = Promise.resolve();
  var held = null; // the held ticket as last known, from the desk or an action's answer
  var pending = null, dialog = null, deskTimer = null, flashTimer = null, audio = null;
  var TITLE = document.title, baseTitle = TITLE;
  var KEYS = { F1: "call-next", F2: "recall", F3: "no-show", F4: "finish", F5: "start" };
  var FIELDS = { F6: "transfer", F8: "number", F9: "idnum" };
  // What holding a ticket becomes after each action: its ticket (true) or none (false).
  var HOLDS = { "call-next": true, call: true, recall: true, start: true, finish: false, "no-show": false, transfer: false };
  var DEFERRED = { "no-show": "过号", "false-info": "标记虚假信息" };
  var KIND = { walk_in: "现场", green: "绿色通道", appointment: "预约" };
  var STATUS = { called: "已叫号，等待到窗", serving: "办理中" };
  var TAKEN_OVER = "本窗口已在其他终端登录 / taken over elsewhere";
  var OFFLINE_SAID = "未执行：与服务器失去连接 / not done: offline";
  window.hallqChimes = 0;
  window.hallqOfflineFlashes = 0;
  window.hallqDeskLoads = 0;

  function say(text, ok) { var m = $("msg"); m.textContent = text; m.className = "msg " + (ok ? "ok" : "err"); }
  function windowPath(rest) { return "/windows/" + encodeURIComponent(me.window) + "/" + rest; }
  function mine() { return snap && me ? snap.windows.filter(function (x) { return x.id === me.window; })[0] : null; }

  /* ---- the server ---- */
  function api(method, path, body, background) {
    if (!token) return Promise.resolve({ status: 401, body: {} });
    return fetch(HallqDom.api + path, { method: method, headers: { "Content-Type": "application/json", Authorization: "Bearer " + token }, body: body ? JSON.stringify(body) : undefined })
      .then(function (r) {
        // The socket says why a session ended (4401, 4409); a background refetch waits for it.
        if (r.status === 401 && !background) { signedOut(); HallqSignIn.expired(); }
        return r.json().then(function (j) { return { status: r.status, body: j }; }, function () { return { status: r.status, body: {} }; });
      }, function (e) { lost(); throw e; });
  }
  function signedOut() {
    stop(); token = null; me = null; desk = null; held = null; clearPending();
    stopFlash(); baseTitle = TITLE; document.title = TITLE;
  }
  function stop() { if (sock) { sock.onclose = null; sock.close(); sock = null; } }

  /* ---- offline ---- */
  function offline() { return sockDown || netDown; }
  function showOnline() {
    var off = !!me && offline();
    window.hallqOffline = off;
    $("offline").hidden = !off;
    Array.prototype.forEach.call(document.querySelectorAll("main button, #undo-btn, #signout"), function (b) { b.disabled = off; });
  }
  function flashBanner() {
    var b = $("offline");
    b.classList.remove("flash"); void b.offsetWidth; b.classList.add("flash");
    window.hallqOfflineFlashes += 1;
  }
  function lost() {
    netDown = true; showOnline();
    if (probing) return;
    probing = true;
    var probe = function () {
      fetch(HallqDom.api + "/health").then(function (r) {
        if (!r.ok) throw new Error("unhealthy");
        probing = false; netDown = false; showOnline(); refreshDesk();
      }).catch(function () { setTimeout(probe, 1500); });
    };
    setTimeout(probe, 1500);
  }

  /* ---- actions ---- */
  /* Sends `action` after whatever is pending; `field` is cleared when it succeeds. */
  function act(action, body, field) {
    stopFlash();
    if (pending) flush();
    if (offline()) { flashBanner(); say(OFFLINE_SAID, false); return; }
    var run = function () {
      if (!me) return null;
      return api("POST", windowPath(action), body).then(function (r) {
        if (r.status >= 400) { if (r.status !== 401) say(r.body.message || ("HTTP " + r.status), false); return; }
        var t = r.body.ticket;
        say(r.body.message || ((t && t.number ? t.number + " · " : "") + action), action !== "verify-id" || r.body.result === "match");
        if (field) $(field).value = "";
        if (HOLDS[action] !== undefined) held = HOLDS[action] ? t : null;
        deskShown = deskAsked + 1; // a desk asked for before this answer is out of date
        refreshDesk();
      }, function () { say(OFFLINE_SAID, false); });
    };
    chain = chain.then(run, run);
  }
  /* No-show and false information wait 5 s for an undo (nothing held: sent at once, the
   * server says why not). */
  function defer(action) {
    if (offline()) { flashBanner(); say(OFFLINE_SAID, false); return; }
    var cur = held;
    if (!cur) { act(action); return; }
    if (pending) flush();
    stopFlash();
    var p = pending = { action: action, text: cur.number + " " + DEFERRED[action], until: Date.now() + 5000 };
    p.timer = setTimeout(flush, 5000);
    p.tick = setInterval(showUndo, 200);
    showUndo();
  }
  function clearPending() {
    if (!pending) return null;
    var p = pending;
    clearTimeout(p.timer); clearInterval(p.tick);
    pending = null; showUndo();
    return p;
  }
  function flush() { var p = clearPending(); if (p) act(p.action); }
  function undo() { var p = clearPending(); if (p) say("已撤销：" + p.text + " / undone", true); }
  function showUndo() {
    $("undo").hidden = !pending;
    if (!pending) return;
    $("undo-text").textContent = pending.text + "，即将发送 / sending in";
    $("undo-left").textContent = String(Math.max(0, Math.ceil((pending.until - Date.now()) / 1000))) + " s";
  }

  /* A confirm dialog inside the page: Enter confirms, Esc cancels. */
  function ask(text, ok) {
    dialog = { ok: ok, back: document.activeElement };
    $("confirm-text").textContent = text;
    $("confirm").hidden = false;
    $("confirm-ok").focus();
  }
  function answer(yes) {
    var d = dialog;
    dialog = null;
    $("confirm").hidden = true;
    if (d.back && d.back.focus) d.back.focus();
    if (yes) d.ok();
  }
  function heldWarning(what) {
    var t = held;
    return t ? "当前 " + t.number + " 尚未办结，仍要" + what + "吗？ / a ticket is still held: " + (what === "退出" ? "sign out" : "pause") + " anyway?" : null;
  }

  function pauseOrResume() {
    var w = mine();
    if (w && w.status === "paused") { act("resume"); return; }
    $("reason").focus();
  }
  function pause() {
    var reason = $("reason").value.trim();
    var go = function () { act("pause", { reason: reason || null }, "reason"); };
    var warn = heldWarning("暂停");
    if (warn) ask(warn, go); else go();
  }
  function transfer() {
    var v = $("transfer").value;
    if (!v) { say("请用 ↑↓ 选择转办去向 / choose where to transfer", false); return; }
    var body = v.charAt(0) === "s" ? { service: v.slice(2) } : { window: v.slice(2) };
    act("transfer", body, "transfer");
  }
  function callNumber() {
    var n = $("number").value.trim();
    if (!n) { say("请输入号码 / type a ticket number", false); return; }
    act("call", { number: n }, "number");
  }
  function verify() {
    var v = $("idnum").value.trim();
    // The ID number does not stay on the screen, whatever the answer.
    $("idnum").value = "";
    if (!v) { say("请输入或扫描身份证号 / type or scan an ID number", false); return; }
    act("verify-id", { id_number: v });
  }
  function signOut() {
    var go = function () { var t = token; signedOut(); HallqSignIn.signOut(t); };
    var warn = heldWarning("退出");
    if (warn) ask(warn, go); else go();
  }
  var SUBMIT = { number: callNumber, transfer: transfer, reason: pause, idnum: verify };

  /* ---- keys ---- */
  function key(e) {
    if (!me) return;
    if (dialog) {
      if (e.key === "Enter" || e.key === "Escape") { e.preventDefault(); answer(e.key === "Enter"); }
      else if (/^F\d+$/.test(e.key)) e.preventDefault();
      return;
    }
    var el = document.activeElement;
    if (e.key === "Escape") {
      e.preventDefault();
      if (pending) undo();
      else if (el && SUBMIT[el.id]) el.value = "";
      return;
    }
    if (/^F\d+$/.test(e.key)) {
      e.preventDefault();
      if (offline() && e.key !== "F10") { flashBanner(); return; }
      if (e.key === "F3") defer(e.shiftKey ? "false-info" : "no-show");
      else if (KEYS[e.key]) act(KEYS[e.key]);
      else if (FIELDS[e.key]) $(FIELDS[e.key]).focus();
      else if (e.key === "F7") pauseOrResume();
      else if (e.key === "F10") noShowList();
      return;
    }
    if (e.key === "Enter" && el && SUBMIT[el.id]) {
      e.preventDefault();
      if (offline()) { flashBanner(); return; }
      SUBMIT[el.id]();
      return;
    }
    if ((e.key === "ArrowDown" || e.key === "ArrowUp") && el && el.hasAttribute("data-callback")) {
      e.preventDefault();
      var all = Array.prototype.slice.call(document.querySelectorAll("[data-callback]"));
      var next = all[all.indexOf(el) + (e.key === "ArrowDown" ? 1 : -1)];
      if (next) next.focus();
    }
  }
  function noShowList() {
    var first = document.querySelector("[data-callback]");
    if (first) first.focus(); else say("今日暂无过号 / no no-shows today", true);
  }

  /* ---- the chime and the title ---- */
  function chime() {
    window.hallqChimes += 1;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var t = audio.currentTime;
      [660, 880].forEach(function (f, i) {
        var o = audio.createOscillator(), g = audio.createGain();
        o.frequency.value = f;
        g.gain.setValueAtTime(0.2, t + i * 0.25);
        g.gain.exponentialRampToValueAtTime(0.001, t + i * 0.25 + 0.24);
        o.connect(g); g.connect(audio.destination);
        o.start(t + i * 0.25); o.stop(t + i * 0.25 + 0.25);
      });
    } catch (e) { /* no audio device: the title still flashes */ }
  }
  function flashTitle(number) {
    stopFlash();
    var text = "【新】" + number + " · " + baseTitle, on = true;
    document.title = text;
    flashTimer = setInterval(function () { on = !on; document.title = on ? text : "【　】" + number + " · " + baseTitle; }, 1000);
  }
  function stopFlash() {
    if (!flashTimer) return;
    clearInterval(flashTimer); flashTimer = null;
    document.title = baseTitle;
  }
  /* A ticket arrived at an open window whose queue was empty with nothing held. */
  function arrived(before, now) {
    var w = mine();
    if (!before || before.waiting > 0 || before.current || now.current || now.waiting === 0) return;
    if (w && w.status === "paused") return;
    chime();
    flashTitle(now.upcoming.length ? now.upcoming[0].number : "");
  }

  /* ---- the panel ---- */
  /* At most one fetch per 150 ms, however busy the hall (a busy hall never starves it);
   * an answer older than one already shown, or than an action's answer, is dropped. */
  var deskAsked = 0, deskShown = 0;
  function refreshDesk() {
    if (deskTimer) return;
    deskTimer = setTimeout(function () { deskTimer = null; loadDesk(); }, 150);
  }
  function loadDesk() {
    if (!me) return;
    var n = ++deskAsked;
    api("GET", windowPath("desk"), null, true).then(function (r) {
      if (r.status !== 200 || !me || n < deskShown) return;
      deskShown = n;
      var before = desk;
      desk = r.body;
      held = desk.current;
      window.hallqDeskLoads += 1;
      arrived(before, desk);
      render();
    }, function () {});
  }
  function current(t) {
    if (!t) return h("div", { "class": "none", id: "cur-number" }, "暂无叫号");
    var a = t.appointment;
    return [
      h("div", { "class": "number", id: "cur-number" }, t.number),
      h("div", { "class": "meta", id: "cur-meta" }, t.service_name + " · " + (KIND[t.kind] || t.kind) + " · " + (STATUS[t.status] || t.status) + (t.calls > 1 ? " · 已呼 " + t.calls + " 次" : "")),
      t.transferred_from && h("div", { "class": "from", id: "cur-from" }, "由 " + t.transferred_from + " 转入"),
      a && h("div", { "class": "appt", id: "cur-appt" }, "预约 " + a.date + " " + a.slot + " · 预约码 " + a.code + " · " + a.name_masked)
    ];
  }
  function render() {
    if (!me) return;
    var w = mine();
    if (w) {
      $("win").textContent = w.name;
      // A closed window (closing time, or nobody signed in) opens again with any action here.
      $("state").textContent = w.status === "paused" ? "暂停中" + (w.pause_reason ? "：" + w.pause_reason : "")
        : w.status === "closed" ? "未开放 · 叫号或恢复即开放" : "服务中";
      $("state").className = "state" + (w.status === "open" ? "" : " " + w.status);
    }
    $("soc").hidden = !(me.start_on_call || (desk && desk.start_on_call));
    fill($("cur"), current(desk ? desk.current : w && w.serving));
    showOnline();
    var services = me.services.map(function (s) { return s.id; });
    if (snap) {
      fill($("queues"), snap.queues.filter(function (q) { return services.indexOf(q.service) >= 0; })
        .map(function (q) { return h("span", { "data-service": q.service }, [q.name + " ", h("b", null, q.waiting + " 人")]); }));
    }
    if (!desk) return;
    $("waiting").textContent = String(desk.waiting);
    $("t-served").textContent = String(desk.today.served);
    $("t-noshow").textContent = String(desk.today.no_show);
    $("t-notstarted").textContent = String(desk.today.not_started);
    fill($("upcoming"), desk.upcoming.length ? desk.upcoming.map(function (u) {
      return h("li", { "data-number": u.number }, [h("b", null, u.number), u.service_name,
        u.kind !== "walk_in" && h("span", { "class": "tag" }, KIND[u.kind] || u.kind),
        u.slot && h("span", { "class": "muted" }, u.slot),
        u.transferred && h("span", { "class": "tag in" }, "转入")]);
    }) : h("li", { "class": "muted" }, "暂无等候 / nobody waiting"));
    var focused = document.activeElement && document.activeElement.getAttribute("data-callback");
    fill($("noshows"), desk.no_shows.length ? desk.no_shows.map(function (n) {
      return h("li", null, [h("b", null, n.number), n.service_name, h("span", { "class": "muted" }, n.at.slice(11, 16)),
        h("button", { "data-callback": n.number, "aria-label": "回呼 " + n.number, onclick: function () { act("call", { number: n.number }); } }, "回呼 Enter")]);
    }) : h("li", { "class": "muted" }, "今日暂无过号 / none today"));
    Array.prototype.forEach.call(document.querySelectorAll("[data-callback]"), function (b) { if (b.getAttribute("data-callback") === focused) b.focus(); });
    showOnline();
  }

  /* ---- the live feed ---- */
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = sock = new WebSocket(proto + location.host + HallqDom.api + "/staff/events?token=" + encodeURIComponent(token));
    ws.onopen = function () { sockDown = false; $("live").textContent = "实时 / live"; window.hallqClerkLive = true; showOnline(); refreshDesk(); };
    ws.onmessage = function (e) {
      var s = JSON.parse(e.data);
      if (s.error) return;
      snap = s; render(); refreshDesk();
    };
    ws.onclose = function (e) {
      window.hallqClerkLive = false;
      sock = null;
      if (e.code === 4401 || e.code === 4409) {
        signedOut();
        $("live").textContent = "";
        HallqSignIn.expired(e.code === 4409 ? TAKEN_OVER : undefined);
        return;
      }
      sockDown = true; showOnline();
      $("live").textContent = "重连中… / reconnecting";
      // A refused handshake looks like any drop: ask /me (a 401 shows the sign-in form).
      var retry = function () {
        if (!token) return;
        api("GET", "/me", null).then(function (r) { if (r.status === 200 && token) connect(); }, function () { setTimeout(retry, 1500); });
      };
      setTimeout(retry, 1500);
    };
  }
  function start(t, who) {
    token = t; me = who; desk = null; sockDown = false;
    baseTitle = (who.window_name ? who.window_name + " · " : "") + TITLE;
    document.title = baseTitle;
    $("who").textContent = who.display_name || who.name;
    $("signout").hidden = !who.session_expires_at;
    showOnline();
    api("GET", "/services", null).then(function (s) {
      var all = s.body.sections.reduce(function (a, x) { return a.concat(x.services); }, []);
      return api("GET", "/snapshot", null).then(function (sn) {
        if (sn.status !== 200) return;
        snap = sn.body;
        held = (mine() || {}).serving || null;
        fill($("transfer"), [h("option", { value: "" }, "— 用 ↑↓ 选择去向 / choose —"),
          h("optgroup", { label: "转业务 / to a service" }, all.map(function (v) { return h("option", { value: "s:" + v.id }, v.name); })),
          h("optgroup", { label: "转窗口 / to a window" }, snap.windows.filter(function (w) { return w.id !== me.window; })
            .map(function (w) { return h("option", { value: "w:" + w.id }, w.name); }))]);
        render();
        connect();
      });
    }, function () { setTimeout(function () { if (token) start(t, who); }, 2000); });
  }

  window.HallqClerk = {
    start: function (windows) {
      Array.prototype.forEach.call(document.querySelectorAll("[data-act]"), function (b) {
        b.onclick = function () { if (DEFERRED[b.dataset.act]) defer(b.dataset.act); else act(b.dataset.act); };
      });
      $("call").onclick = callNumber;
      $("transfer-go").onclick = transfer;
      $("pause").onclick = pause;
      $("resume").onclick = function () { act("resume"); };
      $("pause-key").onclick = pauseOrResume;
      document.querySelector("[data-key=F6]").onclick = function () { $("transfer").focus(); };
      $("verify").onclick = verify;
      $("undo-btn").onclick = undo;
      $("confirm-ok").onclick = function () { answer(true); };
      $("confirm-cancel").onclick = function () { answer(false); };
      $("signout").onclick = signOut;
      document.addEventListener("keydown", key);
      window.addEventListener("focus", stopFlash);
      document.addEventListener("pointerdown", stopFlash);
      HallqSignIn.start({ key: "hallq-clerk-token", role: "clerk", windows: windows, onReady: start });
    }
  };
})();
