// Unit tests of the announcement queue (pure JS), run by `node --test` from announce.rs.
import { test } from "node:test";
import assert from "node:assert/strict";
import announce from "../assets/announce.js";

const { AnnounceQueue, announcement, clipChars, readNumber, spell } = announce;

const T = "请 {number} 号 到 {window} 办理";
const call = (number, window_name) => ({ number, window_name });

function drain(q) {
  const spoken = [];
  for (let t = q.next(); t !== null; t = q.next()) {
    spoken.push(t);
    q.done();
  }
  return spoken;
}

test("spells numbers digit by digit and always names the window", () => {
  assert.equal(spell("A012"), "A 零 一 二");
  assert.equal(announcement(T, call("A012", "3号窗口")), "请 A 零 一 二 号 到 3号窗口 办理");
  assert.equal(announcement(T, { number: "B001", window: "7" }), "请 B 零 零 一 号 到 7 办理");
});

test("announces in order, each call repeat times, none skipped", () => {
  const q = new AnnounceQueue({ template: "{number}", repeat: 2 });
  for (const n of ["A1", "A2", "A3"]) q.push(call(n, "w"));
  assert.deepEqual(drain(q), ["A 一", "A 一", "A 二", "A 二", "A 三", "A 三"]);
  assert.equal(q.length, 0);
});

test("a new call never cuts off the one being spoken", () => {
  const q = new AnnounceQueue({ template: "{number}", repeat: 1 });
  q.push(call("A1", "w"));
  assert.equal(q.next(), "A 一");
  q.push(call("A2", "w"));
  // Still speaking A1: nothing new is handed out until done().
  assert.equal(q.next(), null);
  q.done();
  assert.equal(q.next(), "A 二");
});

test("a recall is announced again", () => {
  const q = new AnnounceQueue({ template: "{number}", repeat: 1 });
  q.push(call("A1", "w"));
  assert.deepEqual(drain(q), ["A 一"]);
  q.push(call("A1", "w"));
  assert.deepEqual(drain(q), ["A 一"]);
});

test("idle queue hands out nothing and done() without next() is harmless", () => {
  const q = new AnnounceQueue({ template: "{number}", repeat: 3 });
  assert.equal(q.next(), null);
  q.done();
  assert.equal(q.length, 0);
});

test("window numbers are read the way people say them, for the recorded clips", () => {
  assert.deepEqual(["3", "10", "12", "20", "25", "07", "123"].map(readNumber), ["三", "十", "十二", "二十", "二十五", "零七", "一二三"]);
  assert.deepEqual(clipChars("请 A 零 一 号 到 10号窗口 办理"), [..."请A零一号到十号窗口办理"]);
});
