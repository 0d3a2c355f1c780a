/* Pages build their views from data as DOM nodes, never as markup: h("div", {class: "x",
 * "data-id": id, onclick: f}, ["text", h(...)]) turns strings into text nodes and
 * attributes into setAttribute calls (an on* attribute only takes a function). ES5. */
(function () {
  "use strict";
  function append(el, kids) {
    if (kids == null || kids === false) return el;
    if (!Array.isArray(kids)) kids = [kids];
    kids.forEach(function (k) {
      if (k == null || k === false) return;
      if (Array.isArray(k)) append(el, k);
      else el.appendChild(typeof k === "object" ? k : document.createTextNode(String(k)));
    });
    return el;
  }
  /** An element with attributes and children (strings are text). */
  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v == null || v === false) return;
      if (k.slice(0, 2) === "on") { if (typeof v === "function") el[k] = v; return; }
      el.setAttribute(k, v === true ? "" : String(v));
    });
    return append(el, kids);
  }
  /** Replaces the children of `el`. */
  function fill(el, kids) { el.textContent = ""; return append(el, kids); }
  window.HallqDom = { h: h, fill: fill, append: append };
})();
