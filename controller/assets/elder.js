/* 长辈模式 (elder mode, after the MIIT 适老化 guideline): larger text, higher contrast,
 * fewer words (the English hints go). One tap on the #elder button switches it; the
 * choice stays on the phone (localStorage "hallq-elder"). Inlined in <head> at serve
 * time, so the page never flashes in the standard size. ES5. */
(function () {
  "use strict";
  var KEY = "hallq-elder", root = document.documentElement;
  function saved() { try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; } }
  function show(on) {
    if (on) root.classList.add("elder"); else root.classList.remove("elder");
    var b = document.getElementById("elder");
    if (b) b.setAttribute("aria-pressed", on ? "true" : "false");
  }
  show(saved());
  document.addEventListener("DOMContentLoaded", function () {
    var b = document.getElementById("elder");
    if (!b) return;
    show(saved());
    b.addEventListener("click", function () {
      var on = !root.classList.contains("elder");
      try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode: this visit only */ }
      show(on);
    });
  });
})();
