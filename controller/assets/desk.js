/* The consult desk (咨询台), served by the binary at /desk. Staff sign-in (desk, clerk or
 * admin; signin.js), then: find bookings by code, ID number (typed, or typed by a card or
 * QR reader that ends with Enter) or phone's last 4 + name; check a person in on their
 * behalf; the day's bookings per service and slot. Admins also close a slot or the day
 * (with a reason and a confirm step), ban a person by hand and lift bans. Every piece of
 * data goes in as text (dom.js), never as markup. ES5. */
(function () {
  "use strict";
  var h = HallqDom.h, fill = HallqDom.fill;
  var token = null, me = null;
  var SERVICES = JSON.parse(document.getElementById("desk-services").textContent);
  var STATUS = {
    booked: "已预约 / booked", checked_in: "已取号 / checked in", cancelled: "已取消 / cancelled",
    no_show: "未到 / no-show", done: "已办结 / done"
  };
  function $(id) { return document.getElementById(id); }
  function say(el, text, ok) { el.textContent = text || ""; el.className = "msg " + (ok ? "ok" : "err"); }
  function admin() { return me && me.role === "admin"; }

  /** fetch with the token; resolves {status, body}. A 401 shows the sign-in form. */
  function api(method, path, body) {
    var init = { method: method, headers: { Authorization: "Bearer " + token } };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(HallqDom.api + path, init).then(function (r) {
      return r.text().then(function (t) {
        var j = {};
        try { j = t ? JSON.parse(t) : {}; } catch (e) { j = { message: "HTTP " + r.status }; }
        if (r.status === 401) { token = null; HallqSignIn.expired(j.message); }
        return { status: r.status, body: j };
      });
    }, function () { return { status: 0, body: { message: "无法连接服务器 / server unreachable" } }; });
  }
  function time(iso) { return iso ? HallClock.hm(Date.parse(iso)) : ""; }
  function when(iso) { return iso ? HallClock.date(Date.parse(iso)) + " " + HallClock.hm(Date.parse(iso)) : ""; }

  /* ---- search ---- */
  var ID_RE = /^\d{17}[\dXx]$/;
  var last = null; // the last search, to refresh after a check-in
  function find(query) {
    last = query;
    $("ticket").hidden = true;
    say($("msg"), "查询中… / searching…", true);
    return api("GET", "/desk/appointments?" + query).then(function (r) {
      if (r.status !== 200) { say($("msg"), r.body.message || ("HTTP " + r.status)); fill($("results"), null); return; }
      var list = r.body.appointments || [];
      say($("msg"), list.length ? "找到 " + list.length + " 条预约 / " + list.length + " found" : "没有找到预约 / nothing found", list.length > 0);
      fill($("results"), list.map(card));
    });
  }
  function card(a) {
    var kids = [
      h("div", null, [
        h("span", { "class": "code" }, a.code),
        h("span", { "class": "status " + a.status, "data-status": a.status }, STATUS[a.status] || a.status)
      ]),
      h("div", null, a.status === "booked" ? h("button", {
        "class": "primary", type: "button", "data-checkin": a.code,
        onclick: function () { checkIn(a.code, this); }
      }, "代为取号 / Check in") : null),
      h("div", { "class": "line" }, [(a.service_name || a.service) + " · " + when(a.slot_start) + "–" + time(a.slot_end)]),
      h("div", { "class": "line" }, "取号时间 / check-in " + time(a.checkin_from) + "–" + time(a.checkin_until)),
      h("div", { "class": "line" }, [a.name_masked + " · " + a.id_masked + " · " + a.phone_masked]),
      h("div", { "class": "line" }, a.cancel_reason ? "停约原因 / reason: " + a.cancel_reason : "")
    ];
    return h("div", { "class": "appt", "data-code": a.code }, kids);
  }
  function checkIn(code, btn) {
    if (btn) btn.disabled = true;
    return api("POST", "/desk/checkins", { code: code }).then(function (r) {
      if (btn) btn.disabled = false;
      if (r.status !== 201) { say($("msg"), r.body.message || ("HTTP " + r.status)); return; }
      say($("msg"), "已取号，请到窗口附近等候叫号 / checked in", true);
      $("ticket").textContent = r.body.ticket.number;
      $("ticket").hidden = false;
      var again = last;
      if (again) api("GET", "/desk/appointments?" + again).then(function (x) {
        if (x.status === 200) fill($("results"), (x.body.appointments || []).map(card));
      });
    });
  }
  $("find").onsubmit = function (e) {
    e.preventDefault();
    var v = $("q").value.trim();
    if (!v) { say($("msg"), "请输入预约码或身份证号 / enter a code or an ID number"); return; }
    find((ID_RE.test(v) ? "id_number=" : "code=") + encodeURIComponent(v));
    $("q").select();
  };
  $("find2").onsubmit = function (e) {
    e.preventDefault();
    find("phone_last4=" + encodeURIComponent($("last4").value.trim()) + "&name=" + encodeURIComponent($("name").value.trim()));
  };

  /* ---- the day ---- */
  function loadDay() {
    var q = "/desk/day?date=" + encodeURIComponent($("day").value) + ($("svc").value ? "&service=" + encodeURIComponent($("svc").value) : "");
    return api("GET", q).then(function (r) {
      if (r.status !== 200) { say($("daymsg"), r.body.message || ("HTTP " + r.status)); fill($("dayview"), null); return; }
      say($("daymsg"), "", true);
      fill($("dayview"), r.body.services.map(function (s) {
        return h("div", { "data-service": s.service }, [
          h("h2", null, s.service_name),
          h("table", null, [
            h("thead", null, h("tr", null, [h("th", null, "时段 Slot"), h("th", null, "已约 Booked"), h("th", null, "待取号 To check in"),
              h("th", null, "已取消 Cancelled"), h("th", null, "预约 Appointments"), h("th", null, "")])),
            h("tbody", null, s.slots.filter(function (sl) { return sl.appointments.length || sl.closed || !$("busy").checked; }).map(function (sl) {
              var hm = time(sl.slot_start);
              return h("tr", { "data-slot": hm }, [
                h("td", null, [hm + "–" + time(sl.slot_end), " ", sl.closed ? h("span", { "class": "pill" }, "已停约 closed") : null]),
                h("td", null, sl.active + " / " + sl.capacity),
                h("td", null, String(sl.booked)),
                h("td", null, String(sl.cancelled)),
                h("td", null, sl.appointments.map(function (a) {
                  return h("div", { "data-code": a.code }, [a.code + " " + a.name_masked + " ", h("small", { "data-status": a.status }, STATUS[a.status] || a.status)]);
                })),
                h("td", null, admin() && !sl.closed ? h("button", { type: "button", "class": "warn", "data-close": hm,
                  onclick: function () { askClose(s.service, s.service_name, hm, sl.booked); } }, "停约… / Close…") : null)
              ]);
            }))
          ])
        ]);
      }));
    });
  }
  $("dayform").onsubmit = function (e) { e.preventDefault(); loadDay(); };
  $("busy").onchange = loadDay;

  /* ---- closing (admin), with a confirm step ---- */
  function askClose(service, serviceName, hm, booked) {
    var box = $("confirm");
    var what = $("day").value + " " + (serviceName || "全部业务 / all services") + " " + (hm || "全天 / whole day");
    fill(box, [
      h("div", null, "停约 / Close: " + what),
      h("div", { "class": "hint" }, booked === null ? "该范围内的预约将全部取消 / every booking in it will be cancelled"
        : "将取消 " + booked + " 个预约 / " + booked + " booking(s) will be cancelled"),
      h("div", { "class": "row" }, [
        h("input", { id: "close-reason", size: 24, placeholder: "停约原因（必填）/ reason (required)", "aria-label": "停约原因 / reason" }),
        h("button", { type: "button", "class": "danger", id: "close-yes", onclick: function () { doClose(service, hm); } }, "确认停约 / Confirm"),
        h("button", { type: "button", id: "close-no", onclick: function () { box.hidden = true; } }, "取消 / Cancel")
      ])
    ]);
    box.hidden = false;
    $("close-reason").focus();
  }
  function doClose(service, hm) {
    var reason = $("close-reason").value.trim();
    if (!reason) { say($("daymsg"), "请填写停约原因 / a reason is required"); return; }
    $("close-yes").disabled = true;
    api("POST", "/admin/closures", { date: $("day").value, service: service || null, slot_start: hm || null, reason: reason }).then(function (r) {
      $("close-yes").disabled = false;
      if (r.status !== 201) { say($("daymsg"), r.body.message || ("HTTP " + r.status)); return; }
      $("confirm").hidden = true;
      say($("daymsg"), "已停约，取消了 " + r.body.cancelled + " 个预约 / closed; " + r.body.cancelled + " booking(s) cancelled", true);
      loadDay();
      loadClosures();
    });
  }
  $("closeday").onclick = function () {
    var sv = $("svc").value;
    var name = null;
    SERVICES.forEach(function (s) { if (s.id === sv) name = s.name; });
    askClose(sv || null, name, null, null);
  };

  /* ---- bans (admin) ---- */
  function loadBans() {
    api("GET", "/admin/bans").then(function (r) {
      if (r.status !== 200) return;
      fill($("bans").tBodies[0], r.body.bans.map(function (b) {
        return h("tr", { "data-ban": b.id }, [
          h("td", null, b.id_masked), h("td", null, b.reason), h("td", null, b.until),
          h("td", null, h("button", { type: "button", onclick: function () { lift(b.id); } }, "解除 / Lift"))
        ]);
      }));
    });
  }
  function lift(id) {
    api("POST", "/admin/bans/" + id + "/lift", { reason: "咨询台解除 / lifted at the desk" }).then(function (r) {
      if (r.status !== 200) { say($("banmsg"), r.body.message || ("HTTP " + r.status)); return; }
      say($("banmsg"), "已解除 / lifted", true);
      loadBans();
    });
  }
  $("banform").onsubmit = function (e) {
    e.preventDefault();
    var body = { id_number: $("ban-id").value.trim(), reason: $("ban-reason").value.trim(), until: $("ban-until").value };
    api("POST", "/admin/bans", body).then(function (r) {
      if (r.status !== 201) { say($("banmsg"), r.body.message || ("HTTP " + r.status)); return; }
      say($("banmsg"), "已禁约 / banned", true);
      $("ban-id").value = "";
      loadBans();
    });
  };
  function loadClosures() {
    api("GET", "/admin/closures").then(function (r) {
      if (r.status !== 200) return;
      fill($("closures").tBodies[0], r.body.closures.map(function (c) {
        var name = c.service;
        SERVICES.forEach(function (s) { if (s.id === c.service) name = s.name; });
        return h("tr", null, [h("td", null, c.date), h("td", null, name || "全部 / all"), h("td", null, c.slot_start || "全天 / whole day"),
          h("td", null, c.reason), h("td", null, String(c.cancelled)), h("td", null, c.created_by)]);
      }));
    });
  }

  function start(t, m) {
    token = t; me = m;
    $("who").textContent = (m.display_name || m.name) + " · " + m.role;
    $("signout").hidden = !m.session_expires_at;
    $("signout").onclick = function () { HallqSignIn.signOut(token); };
    var today = HallClock.date(HallClock.now());
    $("day").value = today;
    $("ban-until").value = HallClock.addDays(today, 30);
    fill($("svc"), [h("option", { value: "" }, "全部业务 / all services")].concat(SERVICES.map(function (s) {
      return h("option", { value: s.id }, s.name);
    })));
    var a = admin();
    $("closeday").hidden = !a; $("bancard").hidden = !a; $("banlist").hidden = !a; $("closurecard").hidden = !a;
    if (a) { loadBans(); loadClosures(); }
    loadDay();
    $("q").focus();
    window.hallqDeskReady = true;
  }
  HallqSignIn.start({ key: "hallq-desk-token", role: "desk", roles: ["desk", "clerk", "admin"],
    title: ["咨询台登录", "Consult desk sign-in"], onReady: start });
})();
