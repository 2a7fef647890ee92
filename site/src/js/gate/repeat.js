// The camera sees a held-up QR many times a second: report it once. A payload is reported
// again only once it has been out of sight for `quietMs`, or after rearm() (the staff's "next
// scan" button). Pure (clock passed in): Node tests it.
export class RepeatGuard {
  constructor(quietMs = 2000) {
    this.quietMs = quietMs;
    this.last = null;
    this.lastSeen = 0;
  }

  /** True when `text`, seen at `now` (ms), should be handled. */
  accept(text, now = Date.now()) {
    if (!text) return false;
    const repeat = text === this.last && now - this.lastSeen < this.quietMs;
    this.last = text;
    this.lastSeen = now;
    return !repeat;
  }

  /** The payload was still being handled until `now`: count it as seen then (no re-report right after). */
  touch(now = Date.now()) {
    if (this.last != null) this.lastSeen = now;
  }

  /** Forget the last payload: the next sighting of it is handled. */
  rearm() {
    this.last = null;
    this.lastSeen = 0;
  }
}
