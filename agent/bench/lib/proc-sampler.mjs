/**
 * CPU and memory of a process and its descendants from /proc (Linux), sampled once a second.
 *
 * CPU of a phase = Δ(utime+stime) of the process itself
 *                + Δ(cutime+cstime): children it has reaped (xprop, xwininfo, xclip, xrandr,
 *                  ImageMagick `import`… every short-lived helper it runs)
 *                + Δ(utime+stime) of each descendant alive at both ends of the phase
 *                  (the X11 key helper).
 * RSS is VmRSS; the tesseract worker is a worker_thread, so it is in the process's own RSS.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** Fields of /proc/<pid>/stat; undefined when the process is gone. */
export function readStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const f = text.slice(close + 2).split(' '); // f[0] is field 3 (state)
  return {
    pid,
    comm,
    ppid: Number(f[1]),
    ticks: Number(f[11]) + Number(f[12]),
    childTicks: Number(f[13]) + Number(f[14]),
  };
}

/** VmRSS in bytes; 0 when the process is gone. */
export function readRss(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every live descendant of `root` (children, grandchildren…). */
export function descendants(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(stat);
    children.set(stat.ppid, list);
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

function snapshot(pid) {
  const self = readStat(pid);
  if (!self) return undefined;
  const kids = descendants(pid).map((d) => ({ ...d, rss: readRss(d.pid) }));
  return { at: performance.now(), self, rss: readRss(pid), kids };
}

export class ProcSampler {
  /** @param {number} pid @param {(pid: number) => void} [onDescendant] called once per descendant seen */
  constructor(pid, onDescendant) {
    this.pid = pid;
    this.onDescendant = onDescendant;
    this.samples = [];
    this.seen = new Set();
    this.timer = undefined;
  }

  start(everyMs = 1_000) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    return this;
  }

  stop() {
    clearInterval(this.timer);
  }

  sample() {
    const s = snapshot(this.pid);
    if (!s) return undefined;
    for (const kid of s.kids) {
      if (this.seen.has(kid.pid)) continue;
      this.seen.add(kid.pid);
      this.onDescendant?.(kid.pid);
    }
    this.samples.push(s);
    return s;
  }

  /** Marks the start of a phase (takes a sample now). */
  mark() {
    return this.sample() ?? this.samples.at(-1);
  }

  /** CPU share and RSS between two marks. */
  summarise(from, to) {
    const seconds = (to.at - from.at) / 1000;
    const selfTicks = to.self.ticks - from.self.ticks;
    const reapedTicks = to.self.childTicks - from.self.childTicks;
    const before = new Map(from.kids.map((k) => [k.pid, k]));
    let liveTicks = 0;
    for (const kid of to.kids) {
      const was = before.get(kid.pid);
      if (was && was.comm === kid.comm) liveTicks += kid.ticks - was.ticks;
    }
    const share = (ticks) => (ticks / CLK_TCK / seconds) * 100;
    const window = this.samples.filter((s) => s.at >= from.at && s.at <= to.at);
    const helperRss = (s) => s.kids.filter((k) => k.comm === 'X11KeyServer').reduce((n, k) => n + k.rss, 0);
    const stats = (values) => ({
      mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length),
      max: Math.max(0, ...values),
    });
    // CPU of each one-second step (own + reaped children + live helpers).
    const perSecond = [];
    for (let i = 1; i < window.length; i++) {
      const a = window[i - 1];
      const b = window[i];
      const prev = new Map(a.kids.map((k) => [k.pid, k]));
      let ticks = b.self.ticks - a.self.ticks + (b.self.childTicks - a.self.childTicks);
      for (const kid of b.kids) {
        const was = prev.get(kid.pid);
        if (was && was.comm === kid.comm) ticks += kid.ticks - was.ticks;
      }
      perSecond.push((ticks / CLK_TCK / ((b.at - a.at) / 1000)) * 100);
    }
    return {
      seconds,
      samples: window.length,
      cpuPercent: share(selfTicks + reapedTicks + liveTicks),
      cpuBreakdown: { daemon: share(selfTicks), reapedChildren: share(reapedTicks), liveHelpers: share(liveTicks) },
      cpuPerSecondMax: Math.max(0, ...perSecond),
      rssDaemon: stats(window.map((s) => s.rss)),
      rssHelper: stats(window.map(helperRss)),
      rssTotal: stats(window.map((s) => s.rss + helperRss(s))),
    };
  }
}
