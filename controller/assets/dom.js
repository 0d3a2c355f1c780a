/* Pages build their views from data as DOM nodes, never as markup: h("div", {class: "x",
 * "data-id": id, onclick: f}, ["text", h(...)]) turns strings into text nodes and
 * attributes into setAttribute calls (an on* attribute only takes a function). ES5.
 * HallqDom.api / HallqDom.pages: where this page's hall serves its API ("/api/v1" or
 * "/api/v1/halls/{hall}") and its pages ("" or "/halls/{hall}"), from the <html> element's
 * data-api and data-pages. HallqDom.key(name): a storage key of this hall (the name itself
 * at the root), so a token kept for one hall is never offered to another. */
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
  var root = document.documentElement;
  var api = root.getAttribute("data-api") || "/api/v1";
  var pages = root.getAttribute("data-pages") || "";
  /** A localStorage / sessionStorage key of this hall's API. */
  function key(name) { return api === "/api/v1" ? name : name + "@" + api; }
  window.HallqDom = { h: h, fill: fill, append: append, api: api, pages: pages, key: key };
})();
