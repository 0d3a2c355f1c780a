/* Staff sign-in for the clerk panel and the admin dashboard (served by the binary; the
 * page loads /assets/dom.js first).
 * HallqSignIn.start({key, role, roles, title, windows, onReady}) finds the session token
 * (sessionStorage under HallqDom.key(key): one per hall, or ?token= for a device-style
 * token), checks it with GET {api}/me (the hall's API, HallqDom.api; sign-in and sign-out
 * go there too), and otherwise shows a sign-in form: username, password and, for a
 * clerk, the window. onReady(token, me) runs once signed in. `roles` (default [role]) are the roles the page accepts; `title` names
 * the form (default by role). Enter signs in from any field. A clerk's window already in
 * use elsewhere (409 window_in_use) is offered for takeover: Enter resends with
 * "takeover": true, Esc keeps the other session. HallqSignIn.expired(msg) clears the
 * token and shows the form again (with msg). */
(function () {
  "use strict";
  var opts = null;
  var CSS = ".hq-signin{position:fixed;inset:0;background:#0b3d77;display:flex;align-items:center;justify-content:center;z-index:99}" +
    ".hq-signin form{background:#fff;border-radius:14px;padding:28px 32px;width:380px;max-width:92vw;box-shadow:0 8px 30px #0005;font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif}" +
    ".hq-signin h1{font-size:24px;margin:0 0 4px;color:#0b3d77}.hq-signin p{margin:0 0 18px;color:#5b6b7d;font-size:14px}" +
    ".hq-signin label{display:block;font-size:15px;margin:12px 0 4px;color:#37506b}" +
    ".hq-signin input,.hq-signin select{width:100%;box-sizing:border-box;font:inherit;font-size:18px;padding:10px;border:1px solid #c3cfdd;border-radius:8px}" +
    ".hq-signin button{width:100%;margin-top:20px;font:inherit;font-size:20px;font-weight:800;padding:12px;border:0;border-radius:10px;background:#0b5cad;color:#fff;cursor:pointer}" +
    ".hq-signin .err{color:#b00020;min-height:22px;margin-top:12px;font-size:15px}" +
    ".hq-signin .take p{font-size:14px;color:#37506b;margin:8px 0 0}.hq-signin .take button{margin-top:10px}.hq-signin .take button.alt{background:#dfe7f1;color:#1b2a3a}";
  function me(token) {
    return fetch(HallqDom.api + "/me", { headers: { Authorization: "Bearer " + token } })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); });
  }
  // Tokens are kept per hall (HallqDom.key): signed in at one hall is not signed in at another.
  function key() { return HallqDom.key(opts.key); }
  function roles() { return opts.roles || [opts.role]; }
  function fits(m) { return roles().indexOf(m.role) >= 0 && (m.role !== "clerk" || !!m.window); }
  function form(message) {
    var old = document.getElementById("hq-signin");
    if (old) old.remove();
    var box = document.createElement("div");
    box.className = "hq-signin"; box.id = "hq-signin";
    var clerk = opts.role === "clerk";
    var last = localStorage.getItem(HallqDom.key(opts.key + "-window")) || "";
    var h = HallqDom.h;
    HallqDom.append(box, h("form", { autocomplete: "on" }, [
      h("h1", null, opts.title ? opts.title[0] : clerk ? "窗口人员登录" : "管理员登录"),
      h("p", null, (opts.title ? opts.title[1] : clerk ? "Clerk sign-in" : "Admin sign-in") + " · " + document.title),
      h("label", { "for": "hq-user" }, "用户名 / Username"),
      h("input", { id: "hq-user", name: "username", autocomplete: "username", required: true }),
      h("label", { "for": "hq-pass" }, "密码 / Password"),
      h("input", { id: "hq-pass", name: "password", type: "password", autocomplete: "current-password", required: true }),
      clerk && h("label", { "for": "hq-window" }, "窗口 / Window"),
      clerk && h("select", { id: "hq-window" }, opts.windows.map(function (w) {
        return h("option", { value: w.id, selected: w.id === last }, w.name);
      })),
      h("button", { type: "submit", id: "hq-go" }, "登录 / Sign in"),
      h("div", { "class": "err", id: "hq-err", role: "alert" }, message || "")
    ]));
    document.body.appendChild(box);
    var f = box.querySelector("form");
    var $ = function (id) { return document.getElementById(id); };
    $("hq-user").focus();
    // Enter signs in from every field, the window list included (a select does not submit).
    if (clerk) $("hq-window").onkeydown = function (e) { if (e.key === "Enter") { e.preventDefault(); send(false); } };
    f.onsubmit = function (e) { e.preventDefault(); send(false); };
    function send(takeover) {
      var body = { username: $("hq-user").value.trim(), password: $("hq-pass").value };
      if (clerk) body.window = $("hq-window").value;
      if (takeover) body.takeover = true;
      var take = $("hq-take");
      if (take) take.remove();
      $("hq-go").disabled = true;
      fetch(HallqDom.api + "/auth/sign-in", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
        .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); })
        .then(function (r) {
          $("hq-go").disabled = false;
          if (r.status === 409 && r.body.error === "window_in_use") { $("hq-err").textContent = r.body.message; offerTakeover(); return; }
          if (r.status !== 200) { $("hq-err").textContent = r.body.message || ("HTTP " + r.status); return; }
          if (roles().indexOf(r.body.role) < 0) {
            // Not for this page: end the session just opened rather than leave it live.
            fetch(HallqDom.api + "/auth/sign-out", { method: "POST", headers: { Authorization: "Bearer " + r.body.token } }).then(function () {}, function () {});
            $("hq-err").textContent = clerk ? "该账号不是窗口人员 / not a clerk account" : opts.roles ? "该账号不能使用本页 / this account cannot use this page" : "该账号不是管理员 / not an admin account";
            return;
          }
          if (clerk) localStorage.setItem(HallqDom.key(opts.key + "-window"), body.window);
          sessionStorage.setItem(key(), r.body.token);
          box.remove();
          check(r.body.token);
        }, function () { $("hq-go").disabled = false; $("hq-err").textContent = "无法连接服务器 / server unreachable"; });
    }
    /* The window has a live session elsewhere: Enter takes it over (that panel is signed
     * out and says so), Esc keeps it. */
    function offerTakeover() {
      var cancel = function () { take.remove(); $("hq-err").textContent = ""; $("hq-pass").focus(); };
      var take = h("div", { "class": "take", id: "hq-take" }, [
        h("p", null, "接管后，另一终端将被退出。/ Taking over signs the other terminal out."),
        h("button", { type: "button", id: "hq-takeover", onclick: function () { send(true); } }, "接管本窗口 (Enter) / Take over"),
        h("button", { type: "button", "class": "alt", id: "hq-keep", onclick: cancel }, "取消 (Esc) / Cancel")
      ]);
      take.onkeydown = function (e) { if (e.key === "Escape") { e.preventDefault(); cancel(); } };
      f.appendChild(take);
      $("hq-takeover").focus();
    }
  }
  function check(token) {
    me(token).then(function (r) {
      if (r.status === 200 && fits(r.body)) { opts.onReady(token, r.body); return; }
      // A server error is not a refusal: try again rather than sign the clerk out.
      if (r.status >= 500) { setTimeout(function () { check(token); }, 3000); return; }
      sessionStorage.removeItem(key());
      form(r.status === 200 ? "该凭证不能使用本页 / this credential cannot use this page" : r.body.message);
    }, function () { setTimeout(function () { check(token); }, 3000); });
  }
  window.HallqSignIn = {
    start: function (o) {
      opts = o;
      var style = document.createElement("style"); style.textContent = CSS; document.head.appendChild(style);
      var p = new URLSearchParams(location.search);
      if (p.get("token")) { sessionStorage.setItem(key(), p.get("token")); history.replaceState(null, "", location.pathname); }
      var token = sessionStorage.getItem(key());
      if (token) check(token); else form("");
    },
    expired: function (message) {
      sessionStorage.removeItem(key());
      // Already showing the form (several requests failed at once): keep what is typed,
      // say the latest reason.
      if (document.getElementById("hq-signin")) { if (message) document.getElementById("hq-err").textContent = message; return; }
      form(message || "登录已过期，请重新登录 / session expired, sign in again");
    },
    /* Ends the session (when it is one) and shows the form. */
    signOut: function (token) {
      sessionStorage.removeItem(key());
      var done = function () { location.reload(); };
      fetch(HallqDom.api + "/auth/sign-out", { method: "POST", headers: { Authorization: "Bearer " + token } }).then(done, done);
    }
  };
})();
