// The announcement queue: pure logic, no browser APIs, so Node can test it.
//
// Rules: every call is announced (none skipped), in arrival order; a new call never cuts
// off the one being spoken (it waits); a recall is announced again; each announcement is
// spoken `repeat` times.

const DIGITS = "零一二三四五六七八九";

/** "A012" → "A 零 一 二": letters and digits one by one, as a caller reads them. */
export function spell(number) {
  return [...String(number)].map((c) => (c >= "0" && c <= "9" ? DIGITS[c.charCodeAt(0) - 48] : c)).join(" ");
}

/** The text to speak for one call. */
export function announcement(template, call) {
  return template
    .replaceAll("{number}", spell(call.number || ""))
    .replaceAll("{window}", call.window_name || call.window || "")
    .replaceAll("{service}", call.service_name || call.service || "");
}

export class AnnounceQueue {
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
