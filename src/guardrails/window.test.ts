import { describe, expect, it } from "vitest";
import { RING_SLOTS, WINDOW_SLOTS, emptyWindow, windowAdd, windowAdjust, windowRetryAfterS, windowUsed } from "./window";

describe("rate window", () => {
  it("counts units inside the window and forgets them after it", () => {
    const w = emptyWindow();
    windowAdd(w, 1000, 3);
    windowAdd(w, 1030, 2);
    expect(windowUsed(w, 1030)).toBe(5);
    expect(windowUsed(w, 1000 + WINDOW_SLOTS - 1)).toBe(5);
    expect(windowUsed(w, 1000 + WINDOW_SLOTS)).toBe(2);
    expect(windowUsed(w, 1030 + WINDOW_SLOTS)).toBe(0);
  });

  it("reuses a slot for a new second without carrying the old count", () => {
    const w = emptyWindow();
    windowAdd(w, 5, 7);
    windowAdd(w, 5 + WINDOW_SLOTS, 1);
    expect(windowUsed(w, 5 + WINDOW_SLOTS)).toBe(1);
  });

  it("says when enough room frees up", () => {
    const w = emptyWindow();
    windowAdd(w, 100, 6);
    windowAdd(w, 120, 4);
    expect(windowRetryAfterS(w, 130, 10, 0)).toBe(0);
    expect(windowRetryAfterS(w, 130, 10, 1)).toBe(100 + WINDOW_SLOTS - 130);
    expect(windowRetryAfterS(w, 130, 10, 7)).toBe(120 + WINDOW_SLOTS - 130);
    expect(windowRetryAfterS(w, 130, 10, 11)).toBe(WINDOW_SLOTS);
  });

  it("adjusts an estimate in place, and ignores buckets that left the window", () => {
    const w = emptyWindow();
    windowAdd(w, 10, 100);
    windowAdjust(w, 10, -60);
    expect(windowUsed(w, 10)).toBe(40);
    windowAdd(w, 10 + WINDOW_SLOTS, 5);
    windowAdjust(w, 10, -40);
    expect(windowUsed(w, 10 + WINDOW_SLOTS)).toBe(5);
  });

  it("counts the next second's bucket (granted ahead) now, without evicting the oldest live second", () => {
    const w = emptyWindow();
    windowAdd(w, 100, 3);
    // At 160 the second 100 still counts; an ahead grant for 161 must not take its slot.
    windowAdd(w, 161, 4);
    expect(windowUsed(w, 160)).toBe(7);
    expect(windowRetryAfterS(w, 160, 7, 1)).toBe(1);
    expect(windowUsed(w, 161)).toBe(4);
    // Two seconds ahead is not counted yet (nothing is granted that far ahead).
    windowAdd(w, 163, 5);
    expect(windowUsed(w, 161)).toBe(4);
  });

  it("re-slots a window persisted with the old 61-slot ring, keeping counts by second", () => {
    const old = { secs: new Array<number>(WINDOW_SLOTS).fill(-1), counts: new Array<number>(WINDOW_SLOTS).fill(0) };
    old.secs[200 % WINDOW_SLOTS] = 200;
    old.counts[200 % WINDOW_SLOTS] = 5;
    old.secs[230 % WINDOW_SLOTS] = 230;
    old.counts[230 % WINDOW_SLOTS] = 2;
    windowAdd(old, 240, 1);
    expect(old.secs).toHaveLength(RING_SLOTS);
    expect(windowUsed(old, 240)).toBe(8);
    windowAdjust(old, 200, -5);
    expect(windowUsed(old, 240)).toBe(3);
  });
});
