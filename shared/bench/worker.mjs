// One engine, one workload, in its own process (so a slow peer can be stopped at 60 s):
//   node --expose-gc bench/worker.mjs <engine> <workload> [dense|lists]
// `dense` (the default) is the dense worst case (seed terms + the corpus's commonest word pairs);
// `lists` is Vigil's lists (the first 3,000 curated entries by id, with the lists' exclusions).
// Prints one JSON line per size it finishes; the last line is the largest size done.
import { createRequire } from 'node:module';
import { loadInputs, loadListsWorkload, shortStrings } from './corpus.mjs';

const require = createRequire(import.meta.url);
const [engine, workload, set = 'dense'] = process.argv.slice(2);
const inputs = loadInputs();
const { corpus } = inputs;
const lists = set === 'lists' ? loadListsWorkload() : null;
const phrases = lists ? lists.phrases : inputs.phrases;
// Our normalised mode: on the dense worst case, `word` entries and no exclusions; on Vigil's lists,
// the entries as the lists give them (their own match modes) with every exclusion of the lists, as
// the agent compiles them. Raw mode and the peers take the phrases as substrings either way.
const normalisedEntries = (ps) =>
  lists
    ? lists.entries.slice(0, ps.length)
    : ps.map((phrase, i) => ({ id: String(i), phrase, category: 'bench', severity: 1, match: 'word' }));
const normalisedOptions = lists ? { exclusions: lists.exclusions } : {};

const gc = () => globalThis.gc?.();
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
// CPU time of this process (all its threads, the garbage collector's included), in ms: on a
// shared machine, wall time also counts the time spent waiting for a core.
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

/** Each engine: build(patterns) -> scan(text) returning the number of matches. */
const ENGINES = {
  'vigil-raw': () => {
    const { compileMatcher } = require('../dist/matcher/index.js');
    return (ps) => {
      const m = compileMatcher(
        ps.map((phrase, i) => ({ id: String(i), phrase, category: 'bench', severity: 1, match: 'substring' })),
        { normalise: false },
      );
      return { scan: (t) => m.findAll(t).length, stream: () => m.stream(), bytes: m.stats.bytes };
    };
  },
  'vigil-normalised': () => {
    const { compileMatcher } = require('../dist/matcher/index.js');
    return (ps) => {
      const m = compileMatcher(normalisedEntries(ps), normalisedOptions);
      return { scan: (t) => m.findAll(t).length, stream: () => m.stream(), bytes: m.stats.bytes };
    };
  },
  'aho-corasick': () => {
    const AhoCorasick = require('aho-corasick');
    return (ps) => {
      const ac = new AhoCorasick();
      for (const p of ps) ac.add(p, { word: p });
      ac.build_fail();
      return {
        scan: (t) => {
          let n = 0;
          ac.search(t, (_word, data) => {
            n += data.length;
          });
          return n;
        },
      };
    };
  },
  ahocorasick: () => {
    const AhoCorasick = require('ahocorasick');
    return (ps) => {
      const ac = new AhoCorasick(ps);
      return { scan: (t) => ac.search(t).reduce((n, [, words]) => n + words.length, 0) };
    };
  },
  'modern-ahocorasick': () => {
    const mod = require('modern-ahocorasick');
    const AhoCorasick = mod.default ?? mod.AhoCorasick ?? mod;
    return (ps) => {
      const ac = new AhoCorasick(ps);
      return { scan: (t) => ac.search(t).length };
    };
  },
  '@monyone/aho-corasick': () => {
    const { AhoCorasick } = require('@monyone/aho-corasick');
    return (ps) => {
      const ac = new AhoCorasick(ps);
      return { scan: (t) => ac.matchInText(t).length };
    };
  },
  '@monyone/aho-corasick/fast': () => {
    const { AhoCorasick } = require('@monyone/aho-corasick/fast');
    return (ps) => {
      const ac = new AhoCorasick(ps);
      return { scan: (t) => ac.matchInText(t).length };
    };
  },
  regexp: () => (ps) => {
    const source = [...ps]
      .sort((a, b) => b.length - a.length)
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|');
    const re = new RegExp(source, 'g');
    return {
      scan: (t) => {
        re.lastIndex = 0;
        let n = 0;
        while (re.exec(t) !== null) n++;
        return n;
      },
    };
  },
};

const build = ENGINES[engine]();

if (workload === 'compile') {
  for (const size of [100, 300, 1000, phrases.length]) {
    const ps = phrases.slice(0, size);
    gc();
    const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const t0 = now();
    const built = build(ps);
    built.scan('x'); // some engines build their automaton lazily, on the first search
    const ms = now() - t0;
    gc();
    const heap = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - before;
    print({ size, ms, heapBytes: heap, bytes: built.bytes ?? null });
  }
} else {
  const built = build(phrases);
  if (workload === 'scan') {
    built.scan(corpus.slice(0, 100_000)); // warm up
    for (const mb of [0.1, 1, 5, 20]) {
      const text = corpus.slice(0, mb * 1_000_000);
      let best = Infinity;
      let bestCpu = Infinity;
      let matches = 0;
      const runs = mb === 20 ? 3 : 1;
      for (let r = 0; r < runs; r++) {
        const t0 = now();
        const c0 = cpu();
        matches = built.scan(text);
        bestCpu = Math.min(bestCpu, cpu() - c0);
        best = Math.min(best, now() - t0);
        if (best > 10_000) break;
      }
      const mb1 = Buffer.byteLength(text) / 1e6;
      print({ size: mb, ms: best, mbPerS: mb1 / (best / 1000), cpuMbPerS: mb1 / (bestCpu / 1000), matches });
    }
  } else if (workload === 'short') {
    const strings = shortStrings(corpus);
    for (let i = 0; i < 20_000; i++) built.scan(strings[i]); // warm up
    for (const count of [20_000, strings.length]) {
      let best = Infinity;
      let bestCpu = Infinity;
      for (let r = 0; r < (count === strings.length ? 3 : 1); r++) {
        const t0 = now();
        const c0 = cpu();
        let n = 0;
        for (let i = 0; i < count; i++) n += built.scan(strings[i]);
        bestCpu = Math.min(bestCpu, cpu() - c0);
        best = Math.min(best, now() - t0);
        if (n < 0) print({ n });
      }
      print({ size: count, nsPerCall: (best * 1e6) / count, cpuNsPerCall: (bestCpu * 1e6) / count });
    }
  } else if (workload === 'stream') {
    if (built.stream === undefined) {
      print({ size: 0, unsupported: true });
    } else {
      const text = corpus.slice(0, 2_000_000);
      const s = built.stream();
      const BATCH = 1000;
      const samples = [];
      let i = 0;
      // Warm up, then time batches of 1,000 keystrokes; a newline is a focus change (reset).
      for (let pass = 0; pass < 2; pass++) {
        samples.length = 0;
        i = 0;
        s.reset();
        while (i + BATCH <= text.length) {
          const t0 = process.hrtime.bigint();
          for (let k = 0; k < BATCH; k++) {
            const ch = text[i++];
            if (ch === '\n') s.reset();
            else s.push(ch);
          }
          samples.push(Number(process.hrtime.bigint() - t0) / BATCH);
        }
      }
      samples.sort((a, b) => a - b);
      // Backspaces: type 20 characters, delete 10, over the same text.
      const bs = [];
      s.reset();
      for (let at = 0; at + 20 < 400_000; at += 20) {
        for (let k = 0; k < 20; k++) s.push(text[at + k]);
        const t0 = process.hrtime.bigint();
        s.backspace(10);
        bs.push(Number(process.hrtime.bigint() - t0) / 10);
        if (at % 2000 === 0) s.reset();
      }
      bs.sort((a, b) => a - b);
      print({
        size: text.length,
        medianNs: samples[samples.length >> 1],
        p99Ns: samples[Math.floor(samples.length * 0.99)],
        backspaceMedianNs: bs[bs.length >> 1],
      });
    }
  }
}
