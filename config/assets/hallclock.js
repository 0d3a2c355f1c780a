/* The hall's clock for every page (ES5, no Intl time zones needed): the server writes
 * <script id="hall-clock" type="application/json">{"zone", "now", "offsets"}</script>
 * into the page, with the hall's UTC offsets ([from ms, minutes east], first one in force
 * now) and its own time. window.HallClock then tells the hall's date and time, whatever
 * the browser's time zone, and corrects a device clock that is off. */
(function () {
  "use strict";
  var boot = {};
  var el = document.getElementById("hall-clock");
  try { boot = JSON.parse(el ? el.textContent : "{}"); } catch (e) { boot = {}; }
  var offsets = boot.offsets && boot.offsets.length ? boot.offsets : [[0, 480]];
  var skew = 0;
  var server = Date.parse(boot.now || "");
  if (!isNaN(server)) skew = server - Date.now();
  var WEEK = "日一二三四五六";
  function p2(n) { return (n < 10 ? "0" : "") + n; }
  /** Minutes east of UTC in the hall at `ms`. */
  function offset(ms) {
    var o = offsets[0][1];
    for (var i = 1; i < offsets.length; i++) if (ms >= offsets[i][0]) o = offsets[i][1];
    return o;
  }
  /** The hall's time now (ms since the epoch, corrected for the device's clock). */
  function now() { return Date.now() + skew; }
  /** The hall's calendar fields at `ms` (default: now). */
  function parts(ms) {
    if (ms == null) ms = now();
    var d = new Date(ms + offset(ms) * 60000);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
      hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(),
      weekday: d.getUTCDay(), week: "星期" + WEEK.charAt(d.getUTCDay()) };
  }
  /** "YYYY-MM-DD" in the hall. */
  function date(ms) { var p = parts(ms); return p.year + "-" + p2(p.month) + "-" + p2(p.day); }
  /** "HH:MM:SS" in the hall. */
  function time(ms) { var p = parts(ms); return p2(p.hour) + ":" + p2(p.minute) + ":" + p2(p.second); }
  /** "HH:MM" in the hall. */
  function hm(ms) { var p = parts(ms); return p2(p.hour) + ":" + p2(p.minute); }
  /** The calendar day `n` days after "YYYY-MM-DD". */
  function addDays(ymd, n) {
    var a = String(ymd).split("-");
    var d = new Date(Date.UTC(+a[0], +a[1] - 1, +a[2] + n));
    return d.getUTCFullYear() + "-" + p2(d.getUTCMonth() + 1) + "-" + p2(d.getUTCDate());
  }
  /** The weekday (0 = Sunday) of "YYYY-MM-DD". */
  function weekday(ymd) { var a = String(ymd).split("-"); return new Date(Date.UTC(+a[0], +a[1] - 1, +a[2])).getUTCDay(); }
  /** A server timestamp (ms) seen now: the device clock is corrected by it. */
  function sync(serverMs) { if (typeof serverMs === "number" && !isNaN(serverMs)) skew = serverMs - Date.now(); }
  window.HallClock = { zone: boot.zone || "", now: now, offset: offset, parts: parts, date: date, time: time,
    hm: hm, addDays: addDays, weekday: weekday, sync: sync };
})();
