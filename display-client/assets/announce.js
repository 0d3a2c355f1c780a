// The announcement queue: pure logic, no browser APIs, so Node can test it. ES2017 at
// most, syntax and library (old TV boxes' WebViews).
//
// Rules: every call is announced (none skipped), in arrival order; a new call never cuts
// off the one being spoken (it waits); a recall is announced again; each announcement is
// spoken `repeat` times.

(function () {
"use strict";

const DIGITS = "零一二三四五六七八九";

/** "A012" → "A 零 一 二": letters and digits one by one, as a caller reads them. */
function spell(number) {
  return [...String(number)].map((c) => (c >= "0" && c <= "9" ? DIGITS[c.charCodeAt(0) - 48] : c)).join(" ");
}

/** Reads a whole number the way a hall says window numbers: 3 → 三, 12 → 十二, 20 → 二十. */
function readNumber(digits) {
  const n = Number(digits);
  if (!Number.isInteger(n) || n < 0 || n >= 100 || String(digits).startsWith("0") && digits.length > 1) {
    return [...String(digits)].map((c) => DIGITS[c.charCodeAt(0) - 48]).join("");
  }
  if (n < 10) return DIGITS[n];
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return (tens > 1 ? DIGITS[tens] : "") + "十" + (ones ? DIGITS[ones] : "");
}

/** The characters a clip player plays for `text`: numerals read out, spaces dropped. */
function clipChars(text) {
  return [...String(text).replace(/[0-9]+/g, readNumber)].filter((c) => c.trim() !== "");
}

/** The text to speak for one call. */
function announcement(template, call) {
  // split/join rather than replaceAll (ES2021, missing on old TV WebViews).
  return template
    .split("{number}").join(spell(call.number || ""))
    .split("{window}").join(call.window_name || call.window || "")
    .split("{service}").join(call.service_name || call.service || "");
}

class AnnounceQueue {
  constructor({ template, repeat }) {
    this.template = template;
    this.repeat = Math.max(1, repeat | 0);
    this.pending = [];
    this.current = null;
  }

  /** Queues a call (or a recall) for announcement. */
  push(call) {
    this.pending.push({ text: announcement(this.template, call), left: this.repeat, call });
  }

  /** What to speak now, or null when idle or still speaking. Marks it as speaking. */
  next() {
    if (this.current) return null;
    if (this.current === null && this.pending.length === 0) return null;
    this.current = this.pending[0];
    return this.current.text;
  }

  /** The utterance handed out by next() has finished. */
  done() {
    if (!this.current) return;
    this.current.left -= 1;
    if (this.current.left <= 0) this.pending.shift();
    this.current = null;
  }

  /** Announcements not yet finished (the one speaking included). */
  get length() {
    return this.pending.length;
  }
}

const api = { spell, readNumber, clipChars, announcement, AnnounceQueue };
// A classic script (module scripts need Chrome 61; old TV WebViews lack them): the screen
// finds it as window.HallqAnnounce, Node's tests as a CommonJS module.
if (typeof module === "object" && module.exports) module.exports = api;
else window.HallqAnnounce = api;
})();
