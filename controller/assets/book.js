/* The citizen's booking pages (/book): section → service → date and slot → notice →
 * confirm → booking code, and "我的预约". Reads the boot JSON and the hall clock from the
 * page; builds every view as DOM nodes from data (dom.js), never as markup. ES2017 at
 * most (old WebViews): no spread, no optional chaining, no ??. */
(function () {
  "use strict";
  // ES2017 at most (old WebViews): no spread, no optional chaining, no ?? .
  var KEY = "hallq-assertion";
  var boot = {};
  try { boot = JSON.parse(document.getElementById("boot").textContent); } catch (e) { boot = {}; }
  var rules = boot.rules || { daily_limit: 2, no_show_limit: 3, no_show_ban_months: 3, false_info_limit: 3, false_info_ban_months: 1, retention_days: 180 };
  // The hall-wide notice (预约须知), its numbers already taken from the rules by the server.
  var hallNotice = Array.isArray(boot.notice) ? boot.notice : [];
  var hallName = boot.hall || "";
  // The hall's clock (hallclock.js): "today" is the hall's today even when the phone's
  // clock or time zone is off.
  var clock = window.HallClock;
  function now() { return clock.now(); }

  var $ = function (id) { return document.getElementById(id); };
  var view = $("view");
  var WD = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];
  var STATUS = { booked: "已预约", checked_in: "已取号", cancelled: "已取消", no_show: "爽约", done: "已办结" };
  var h = HallqDom.h, fill = HallqDom.fill;
  function hallDay(plus) { return clock.addDays(clock.date(), plus); }
  function md(ymd) { var p = ymd.split("-"); return Number(p[1]) + "月" + Number(p[2]) + "日"; }
  function wd(ymd) { return WD[clock.weekday(ymd)]; }
  function dayLabel(ymd) { return md(ymd) + " " + wd(ymd); }
  function hm(ts) { var m = /T(\d\d:\d\d)/.exec(ts || ""); return m ? m[1] : ""; }
  function span(a) {
    var end = hm(a.slot_end);
    if (end === "00:00" && String(a.slot_end).slice(0, 10) !== String(a.slot_start).slice(0, 10)) end = "24:00";
    return hm(a.slot_start) + "–" + end;
  }
  function bilingual(msg) { // "中文 / English" → Chinese with the English hint small
    var s = String(msg || ""), i = s.indexOf(" / ");
    return i > 0 ? [s.slice(0, i), h("small", null, s.slice(i + 3))] : [s];
  }
  /** Chinese text with its English hint in small print (hidden in elder mode). */
  function zhEn(zh, en) { return [zh, h("small", null, en)]; }

  // ---- identity: #assertion=<jwt> from the city app / WeChat account, kept on the phone ----
  var assertion = null;
  function store(v) { try { if (v) sessionStorage.setItem(KEY, v); else sessionStorage.removeItem(KEY); } catch (e) { /* private mode */ } }
  function takeFragment() { // true when the URL brought a (new) assertion
    var m = /(?:^#|&)assertion=([^&]*)/.exec(location.hash || "");
    if (!m) return false;
    var a = "";
    try { a = decodeURIComponent(m[1]); } catch (e) { a = m[1]; }
    if (a) { assertion = a; store(a); }
    if (history.replaceState) history.replaceState(null, "", location.pathname + location.search);
    else location.hash = "";
    return !!a;
  }
  takeFragment();
  if (!assertion) { try { assertion = sessionStorage.getItem(KEY); } catch (e) { assertion = null; } }
  function expired(a) { // reads only `exp`; nothing from the assertion is shown
    try {
      var p = a.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      while (p.length % 4) p += "=";
      var exp = JSON.parse(atob(p)).exp;
      return typeof exp === "number" && exp * 1000 < now();
    } catch (e) { return false; }
  }
  function signOut() { assertion = null; store(null); }

  // ---- HTTP ----
  function api(method, path, body) {
    var headers = { Accept: "application/json" };
    if (body) headers["Content-Type"] = "application/json";
    if (assertion) headers.Authorization = "Bearer " + assertion;
    return fetch(HallqDom.api + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined, cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (t) {
          var j = {};
          try { j = t ? JSON.parse(t) : {}; } catch (e) { j = {}; }
          return { status: r.status, ok: r.ok, body: j || {} };
        });
      });
  }
  function errText(r) {
    var b = r.body || {}, msg = b.message;
    if (!msg) return zhEn("服务暂时不可用（" + r.status + "），请稍后再试", "Service unavailable, please try again later");
    if (b.error === "banned" && b.until && String(msg).indexOf(String(b.until).slice(0, 10)) < 0) msg += "（至 " + String(b.until).slice(0, 10) + "）";
    return bilingual(msg);
  }
  function net() { return zhEn("网络连接失败，请检查网络后重试", "Network error, please try again"); }
  function errBox(kids) { return h("div", { "class": "err", id: "error" }, kids); }

  // ---- state and navigation (the WeChat back button walks back through the steps) ----
  var S = { data: null, section: null, service: null, date: null, slot: null, agreed: false, appt: null, person: null };
  var current = null, seq = 0;
  var TITLES = { entry: "网上预约", home: "网上预约", section: "选择业务", slots: "选择时段", notice: "预约须知", confirm: "确认预约", done: "预约成功", mine: "我的预约" };
  var STEP = { home: 0, section: 0, slots: 1, notice: 2, confirm: 3 };
  function go(name, replace) {
    var st = { v: name };
    try { if (replace || !current) history.replaceState(st, ""); else history.pushState(st, ""); } catch (e) { /* old WebView */ }
    render(name);
  }
  window.addEventListener("popstate", function (e) { render(e.state && e.state.v ? e.state.v : "home"); });
  function render(name) {
    // A view whose choices are gone (after booking, or a reload) falls back to the start.
    if (name !== "entry" && !assertion) name = "entry";
    if ((name === "section" && !S.section) || (name === "slots" && !S.service) ||
        ((name === "notice" || name === "confirm") && !S.slot) || (name === "done" && !S.appt)) name = "home";
    if (name === "confirm" && !S.agreed) name = "notice";
    current = name;
    seq++;
    window.scrollTo(0, 0);
    document.body.setAttribute("data-view", name);
    document.title = TITLES[name] + (hallName ? " · " + hallName : "");
    $("title").textContent = TITLES[name];
    $("back").hidden = name === "home" || name === "entry";
    $("to-mine").hidden = !assertion || name === "mine" || name === "entry";
    var st = $("steps"), k = STEP[name];
    st.hidden = k == null;
    Array.prototype.forEach.call(st.children, function (el, i) { el.className = i === k ? "on" : i < k ? "past" : ""; });
    VIEWS[name]();
  }
  $("back").onclick = function () {
    if (current === "done" || current === "mine") return go("home");
    if (history.state && history.length > 1) history.back(); else go("home");
  };
  $("to-mine").onclick = function () { go("mine"); };
  function loading(text) { fill(view, h("div", { "class": "empty" }, text || "正在加载… Loading")); }
  function failed(kids, retry) {
    fill(view, [errBox(kids), retry ? h("button", { "class": "btn ghost", id: "retry", onclick: retry }, zhEn("重试 ", "Retry")) : null]);
  }
  // Every reply goes through here: 401 means the assertion is no longer good.
  function guard(r) {
    if (r.status === 401) { signOut(); S.reason = "expired"; render("entry"); return false; }
    return true;
  }
  function findService(id) {
    var out = null;
    (S.data ? S.data.sections : []).forEach(function (s) { s.services.forEach(function (v) { if (v.id === id) out = v; }); });
    return out;
  }
  /** A list row: name, English name, a line of detail, and a chevron when it can be tapped. */
  function item(attrs, name, en, meta, tappable) {
    return h(tappable ? "button" : "div", attrs, [h("div", { "class": "main" }, [h("div", { "class": "name" }, name), h("div", { "class": "en" }, en || ""),
      h("div", { "class": "meta" }, meta)]), tappable ? h("div", { "class": "chev", "aria-hidden": "true" }, "›") : null]);
  }
  function title(zh, en) { return h("h2", null, [zh, h("small", null, en || "")]); }
  function kv(k, v, id) { return h("div", { "class": "kv" }, [h("div", { "class": "k" }, k), h("div", { "class": "v", id: id }, v)]); }

  var VIEWS = {};
  VIEWS.entry = function () {
    var again = S.reason === "expired";
    var dev = h("div", { id: "dev" });
    fill(view, h("div", { "class": "card center", id: "entry" }, [h("div", { "class": "ok grey" }, "!"),
      h("p", { "class": "big", id: "entry-msg" }, again ? "身份信息已失效，请从城市App或12345公众号重新进入" : "请从城市App或12345公众号进入办理预约"),
      h("p", { "class": "muted" }, again ? "Your sign-in has expired. Please reopen this page from the city app or the 12345 WeChat account."
        : "Please open this page from the city app or the 12345 WeChat account to book."),
      h("p", { "class": "muted" }, "网上预约实行实名制，身份由城市App或公众号核验。"), dev]));
    S.reason = null;
    fetch(HallqDom.pages + "/dev/identity", { method: "GET", cache: "no-store" }).then(function (r) {
      if (r.status === 200) fill(dev, h("a", { "class": "btn ghost", id: "dev-link", href: HallqDom.pages + "/dev/identity" }, zhEn("演示：获取测试身份 ", "Demo identity")));
    }).catch(function () {});
  };

  VIEWS.home = function () {
    var my = seq;
    if (!S.data) loading();
    api("GET", "/services").then(function (r) {
      if (my !== seq) return;
      if (!r.ok) return failed(errText(r), VIEWS.home);
      S.data = r.body;
      if (r.body.hall && r.body.hall.name) hallName = r.body.hall.name;
      var list = r.body.sections.map(function (s) {
        var n = s.services.filter(function (v) { return v.booking; }).length;
        return item({ "class": "item" + (n ? "" : " off"), "data-section": s.id, disabled: !n, onclick: function () { S.section = s.id; go("section"); } },
          s.name, s.name_en, n ? "可预约 " + n + " 项业务" : "暂无网上预约，请现场取号", true);
      });
      fill(view, [h("div", { "class": "tip" }, zhEn("网上预约免费、实名。每人每天最多预约" + rules.daily_limit + "次，请在时段开始前到大厅取号。",
        "Free, real-name booking; take your ticket before the slot starts.")), title("选择业务板块", "Choose a section"), list]);
    }).catch(function () { if (my === seq) failed(net(), VIEWS.home); });
  };

  VIEWS.section = function () {
    var sec = S.data.sections.filter(function (s) { return s.id === S.section; })[0];
    if (!sec) return go("home", true);
    fill(view, [title(sec.name, sec.name_en), sec.services.map(function (v) {
      if (!v.booking) return item({ "class": "item off", "data-walkin": v.id }, v.name, v.name_en, "仅支持现场取号 · walk-in only", false);
      return item({ "class": "item", "data-service": v.id, onclick: function () {
        if (S.service !== v.id) S.date = null;
        S.service = v.id; S.slot = null; S.agreed = false;
        go("slots");
      } }, v.name, v.name_en, "每" + v.booking.slot_minutes + "分钟一个时段 · 可预约未来" + v.booking.horizon_days + "天", true);
    })]);
  };

  VIEWS.slots = function () {
    var svc = findService(S.service);
    if (!svc || !svc.booking) return go("home", true);
    var days = [];
    for (var i = 0; i < Math.max(1, svc.booking.horizon_days); i++) days.push(hallDay(i));
    if (!S.date || days.indexOf(S.date) < 0) S.date = days[0];
    var chips = days.map(function (d, i) {
      var tag = i === 0 ? "今天" : i === 1 ? "明天" : wd(d);
      // The spoken name holds the visible text (WCAG 2.5.3): "12月2日 周三 今天".
      var sub = i < 2 ? wd(d) + " " + tag : tag;
      return h("button", { "class": "date" + (d === S.date ? " on" : ""), "data-date": d, "aria-label": md(d) + " " + sub, onclick: function () {
        S.date = d;
        chips.forEach(function (b) { b.className = "date" + (b.getAttribute("data-date") === d ? " on" : ""); });
        loadSlots(svc);
      } }, [h("b", null, md(d)), " ", h("span", null, sub)]);
    });
    var strip = h("div", { "class": "dates", id: "dates" }, chips);
    fill(view, [title(svc.name, svc.name_en), h("div", { "class": "muted", style: "margin:0 4px 8px" }, "选择日期 Date"), strip, h("div", { id: "slots" })]);
    var sel = view.querySelector(".date.on");
    if (sel && sel.offsetLeft > 200) strip.scrollLeft = sel.offsetLeft - 12;
    loadSlots(svc);
  };
  function loadSlots(svc) {
    var my = ++seq, box = $("slots"), date = S.date;
    fill(box, h("div", { "class": "empty" }, "正在查询" + dayLabel(date) + "的时段…"));
    api("GET", "/appointments/slots?service=" + encodeURIComponent(svc.id) + "&date=" + date).then(function (r) {
      if (my !== seq) return;
      if (!r.ok) return fill(box, errBox(errText(r)));
      var slots = (r.body.slots || []).filter(function (s) { var end = Date.parse(s.slot_end); return isNaN(end) || end > now(); });
      var none = r.body.holiday ? [" 节假日休息，不办理预约", "Public holiday: no appointments — please pick another date"]
        : r.body.closed ? [" 不办理预约", "No appointments on this day — please pick another date"]
        : !slots.length ? [" 已无可预约时段", "No slots left — please pick another date"] : null;
      if (none) return fill(box, h("div", { "class": "empty", id: "closed" }, [dayLabel(date) + none[0], h("br"), h("small", null, none[1])]));
      var parts = [["上午", "Morning", 0, 12], ["下午", "Afternoon", 12, 18], ["晚上", "Evening", 18, 24]];
      fill(box, parts.map(function (p) {
        var mine = slots.filter(function (s) { var hr = Number(hm(s.slot_start).slice(0, 2)); return hr >= p[2] && hr < p[3]; });
        if (!mine.length) return null;
        return [h("div", { "class": "part" }, p[0] + " " + p[1]), h("div", { "class": "slots" }, mine.map(function (s) {
          var full = s.remaining <= 0, ok = s.bookable !== false && !full;
          return h("button", { "class": "slot", "data-slot": slots.indexOf(s), "data-start": s.slot_start, disabled: !ok,
            onclick: function () { S.slot = s; S.agreed = false; go("notice"); } },
            [h("b", null, span(s)), h("span", null, full ? "已约满" : ok ? "余 " + s.remaining : "不可约")]);
        }))];
      }).concat(h("p", { "class": "muted" }, "“余 N”为该时段剩余名额。Number of places left.")));
    }).catch(function () { if (my === seq) fill(box, errBox(net())); });
  }

  function choice(svc) {
    return [kv("业务", svc.name, "c-service"), kv("日期", dayLabel(S.slot.slot_start.slice(0, 10)), "c-date"), kv("时段", span(S.slot), "c-slot")];
  }
  // The personal-data notice (PIPL): what is collected, why, for how long.
  function privacy() {
    var days = rules.retention_days || 180;
    return ["收集：实名认证平台提供的姓名、身份证号和手机号。本系统只保存身份证号的加密摘要（不可还原）和打码后的姓名、证件号、手机号，不保存原文。",
      "用途：确认预约人身份，执行每日预约上限和爽约、虚假信息规则，并在到场签到时核对身份。",
      "保存：预约记录和排队号上的身份摘要保存" + days + "天后自动删除；暂停预约记录在期满" + days + "天后删除。"];
  }
  function heading(zh, en) { return h("h3", null, [zh + " ", h("span", { "class": "en" }, en)]); }
  function li(x) { return h("li", null, x); }
  VIEWS.notice = function () {
    var svc = findService(S.service), b = svc.booking, pre = b.prerequisites || [];
    var next = h("button", { "class": "btn", id: "next", disabled: !S.agreed, onclick: function () { if (S.agreed) go("confirm"); } }, zhEn("下一步 ", "Next"));
    // The hall-wide points first, then the service's own notice and prerequisites.
    fill(view, [h("div", { "class": "card notice", id: "notice" }, [h("h3", { style: "margin-top:0" }, ["预约须知 ", h("span", { "class": "en" }, "Booking notice")]),
      h("ol", { id: "rules" }, hallNotice.map(li)),
      h("h3", { id: "svc-name" }, svc.name),
      b.notice ? h("p", { id: "svc-notice" }, b.notice) : null,
      pre.length ? [heading("办理前提", "Prerequisites"), h("ul", { id: "prereq" }, pre.map(li))] : null,
      heading("个人信息说明", "Personal data"), h("ul", { id: "privacy" }, privacy().map(li))]),
    h("div", { "class": "card" }, choice(svc)),
    h("label", { "class": "agree" }, [h("input", { type: "checkbox", id: "agree", checked: S.agreed,
      onchange: function () { S.agreed = this.checked; next.disabled = !this.checked; } }),
      "我已阅读并同意预约须知和个人信息说明", h("span", { "class": "en", style: "margin-left:6px" }, "I have read and agree to both")]),
    next]);
  };

  VIEWS.confirm = function () {
    var svc = findService(S.service), my = seq;
    loading();
    api("GET", "/me/appointments").then(function (r) {
      if (my !== seq || !guard(r)) return;
      if (!r.ok) return failed(errText(r), VIEWS.confirm);
      var p = S.person = r.body.person || {};
      fill(view, [h("div", { "class": "card", id: "person" }, [h("h3", { style: "margin-top:0" }, ["预约人 ", h("span", { "class": "en" }, "Applicant")]),
        kv("姓名", p.name_masked, "p-name"), kv("证件号码", p.id_masked, "p-id"), kv("手机号码", p.phone_masked, "p-phone")]),
      h("div", { "class": "card" }, [h("h3", { style: "margin-top:0" }, ["预约信息 ", h("span", { "class": "en" }, "Appointment")]), choice(svc), kv("地点", hallName)]),
      h("div", { id: "submit-err" }), h("button", { "class": "btn", id: "submit", onclick: submit }, zhEn("提交预约 ", "Submit"))]);
    }).catch(function () { if (my === seq) failed(net(), VIEWS.confirm); });
  };
  function submit() {
    var btn = $("submit"), box = $("submit-err");
    var idle = function () { btn.disabled = false; fill(btn, zhEn("提交预约 ", "Submit")); };
    btn.disabled = true; fill(btn, zhEn("正在提交… ", "Submitting"));
    api("POST", "/appointments", { service: S.service, slot_start: S.slot.slot_start, agree_notice: true }).then(function (r) {
      if (!guard(r)) return;
      if (r.status === 201 || r.status === 200) {
        S.appt = r.body.appointment; S.slot = null; S.agreed = false;
        return go("done", true);
      }
      idle();
      fill(box, [errBox(errText(r)), h("div", { "class": "row" }, [
        h("button", { "class": "btn ghost", id: "reslot", onclick: function () { S.slot = null; S.agreed = false; go("slots"); } }, "重新选择时段"),
        h("button", { "class": "btn ghost", id: "err-mine", onclick: function () { go("mine"); } }, "我的预约")])]);
      if (box.scrollIntoView) box.scrollIntoView();
    }).catch(function () { idle(); fill(box, errBox(net())); });
  }

  function qrImg(code) { // a QR that needs the bearer: fetch it, else hide it (the code still works)
    var src = HallqDom.api + "/appointments/" + encodeURIComponent(code) + "/qr.png";
    var img = h("img", { "class": "qr", id: "qr", alt: "预约码二维码", src: src });
    img.onerror = function () {
      img.onerror = null;
      if (!window.URL || !URL.createObjectURL) { img.hidden = true; return; }
      fetch(src, { headers: { Authorization: "Bearer " + assertion } })
        .then(function (r) { if (!r.ok) throw new Error(); return r.blob(); })
        .then(function (b) { img.src = URL.createObjectURL(b); })
        .catch(function () { img.hidden = true; });
    };
    return img;
  }
  function name(a) { var s = findService(a.service); return a.service_name || (s ? s.name : a.service); }
  /** The cancel button `btn` of appointment `a` asks first, then cancels; `after` redraws. */
  function cancelFlow(btn, a, after) {
    btn.onclick = function () {
      var anchor = /\brow\b/.test(btn.parentNode.className) ? btn.parentNode : btn;
      var box = h("div", { "class": "sure" });
      var yes = h("button", { "class": "btn red", "data-yes": true, onclick: function () {
        yes.disabled = true; yes.textContent = "正在取消…";
        api("DELETE", "/appointments/" + encodeURIComponent(a.code)).then(function (r) {
          if (!guard(r)) return;
          if (r.ok) return after(r.body.appointment || { status: "cancelled" });
          fill(box, errText(r));
          box.className = "err";
        }).catch(function () { fill(box, net()); box.className = "err"; });
      } }, "确定取消");
      fill(box, ["确定取消 " + dayLabel(a.slot_start.slice(0, 10)) + " " + span(a) + " 的预约？", h("div", { "class": "row" }, [yes,
        h("button", { "class": "btn ghost", "data-no": true, onclick: function () { box.parentNode.removeChild(box); anchor.hidden = false; } }, "暂不取消")])]);
      anchor.hidden = true;
      anchor.parentNode.insertBefore(box, anchor.nextSibling);
    };
  }

  // When to check in, from the appointment's own window (the kiosk applies the same one).
  function checkinTip(a) {
    var from = hm(a.checkin_from), until = hm(a.checkin_until);
    return (from ? "当天 " + from + " 起可取号，" : "") + "请在 " + (until || hm(a.slot_start)) + " 前取号；不能前来请在时段开始前取消。";
  }

  VIEWS.done = function () {
    var a = S.appt, live = a.status === "booked", st = STATUS[a.status] || a.status;
    window.hallqAppointment = a;
    var cancel = live ? h("button", { "class": "btn danger", id: "cancel" }, zhEn("取消预约 ", "Cancel")) : null;
    fill(view, [h("div", { "class": "card center", id: "done" }, [
      live ? [h("div", { "class": "ok" }, "✓"), h("div", { "class": "big" }, "预约成功"), h("div", { "class": "en" }, "Booked")]
        : [h("div", { "class": "ok grey" }, "×"), h("div", { "class": "big", id: "done-status" }, st)],
      h("div", { "class": "label" }, "预约码 Booking code"), h("div", { "class": "code", id: "code" }, a.code),
      live ? [qrImg(a.code), h("div", { "class": "muted" }, ["到大厅自助取号机点「预约取号」，输入预约码或刷身份证取号", h("br"),
        h("span", { "class": "en" }, "At the hall: ticket machine → 预约取号 → enter the code or swipe your ID card")])] : null]),
    h("div", { "class": "card" }, [kv("业务", name(a)), kv("日期", dayLabel(a.slot_start.slice(0, 10)), "d-date"), kv("时段", span(a), "d-slot"),
      h("div", { "class": "kv" }, [h("div", { "class": "k" }, "状态"), h("div", { "class": "v" },
        h("span", { "class": "badge st-" + a.status, id: "d-status", style: "margin-left:0" }, st))])]),
    live ? h("div", { "class": "tip", id: "checkin-tip" }, checkinTip(a)) : null,
    live ? h("div", null, cancel) : null,
    h("button", { "class": "btn ghost", id: "go-mine", onclick: function () { go("mine"); } }, zhEn("我的预约 ", "My appointments")),
    h("button", { "class": "btn ghost", id: "again", onclick: function () { go("home"); } }, zhEn("继续预约 ", "Book another"))]);
    if (live) cancelFlow(cancel, a, function (na) { S.appt = Object.assign({}, a, na); render("done"); });
  };

  VIEWS.mine = function () {
    var my = seq;
    loading();
    var need = S.data ? Promise.resolve() : api("GET", "/services").then(function (r) { if (r.ok) S.data = r.body; });
    need.catch(function () {}).then(function () { return api("GET", "/me/appointments"); }).then(function (r) {
      if (my !== seq || !guard(r)) return;
      if (!r.ok) return failed(errText(r), VIEWS.mine);
      var p = S.person = r.body.person || {};
      var list = (r.body.appointments || []).slice().sort(function (x, y) {
        var ax = x.status === "booked" ? 0 : 1, ay = y.status === "booked" ? 0 : 1;
        if (ax !== ay) return ax - ay;
        return ax === 0 ? (x.slot_start < y.slot_start ? -1 : 1) : (x.slot_start < y.slot_start ? 1 : -1);
      });
      var cards = list.map(function (a, i) {
        var booked = a.status === "booked", qr = h("div", { "class": "qrbox", hidden: true });
        var cancel = booked ? h("button", { "class": "btn danger", id: "cancel-" + i, "data-cancel": i }, "取消预约") : null;
        var qrBtn = booked ? h("button", { "class": "btn ghost", "data-qr": i, onclick: function () {
          if (!qr.firstChild) qr.appendChild(qrImg(a.code));
          qr.hidden = !qr.hidden;
          qrBtn.textContent = qr.hidden ? "二维码" : "收起";
        } }, "二维码") : null;
        if (booked) cancelFlow(cancel, a, function () { VIEWS.mine(); });
        return h("div", { "class": "card appt" + (booked ? "" : " old"), "data-code": a.code }, [
          h("div", { "class": "head" }, [h("div", { "class": "name" }, name(a)), h("span", { "class": "badge status st-" + a.status }, STATUS[a.status] || a.status)]),
          h("div", { "class": "line" }, dayLabel(a.slot_start.slice(0, 10)) + " " + span(a)),
          h("div", { "class": "line muted" }, ["预约码 ", h("b", { "class": "code-s" }, a.code)]),
          a.cancel_reason ? h("div", { "class": "line cancel-reason" }, "服务中心已取消：" + a.cancel_reason) : null,
          booked ? [qr, h("div", { "class": "row" }, [qrBtn, cancel])] : null]);
      });
      fill(view, [h("div", { "class": "card", id: "me" }, [h("div", { "class": "big", style: "font-size:18px" }, p.name_masked),
        h("div", { "class": "muted" }, p.id_masked + " · " + p.phone_masked)]),
      title("个人中心·预约件", "My appointments"),
      cards.length ? cards : h("div", { "class": "empty", id: "none" }, ["暂无预约记录", h("br"), h("small", null, "No appointments yet")]),
      h("button", { "class": "btn", id: "book", onclick: function () { go("home"); } }, zhEn("预约办事 ", "Book an appointment")),
      h("div", { "class": "foot" }, h("button", { id: "signout", onclick: function () { signOut(); go("entry", true); } }, "退出登录 · Sign out"))]);
    }).catch(function () { if (my === seq) failed(net(), VIEWS.mine); });
  };

  // ---- start ----
  function start() {
    if (assertion && expired(assertion)) { signOut(); S.reason = "expired"; }
    go(assertion ? (/[?&]view=mine\b/.test(location.search) ? "mine" : "home") : "entry", true);
  }
  start();
  // Opened again from the app while this page is still loaded: only the fragment changes.
  window.addEventListener("hashchange", function () { if (takeFragment()) start(); });
})();
