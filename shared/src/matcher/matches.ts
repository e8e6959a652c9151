import type { KeywordEntry } from '../protocol/policy.schema';
import type { Match } from './types';

/**
 * Matches found by a scan, kept as (variant, start, end) triples in one growable Int32Array and
 * turned into `Match` objects only when the scan returns: the scan loop stores three numbers per
 * match instead of calling out to allocate, and the objects are made in one tight loop at the end.
 */
export class MatchBuffer {
  data = new Int32Array(192);
  /** Three numbers per match. */
  size = 0;

  push(v: number, start: number, end: number): void {
    let d = this.data;
    const k = this.size;
    if (k + 3 > d.length) {
      const next = new Int32Array(d.length * 2);
      next.set(d);
      this.data = d = next;
    }
    d[k] = v;
    d[k + 1] = start;
    d[k + 2] = end;
    this.size = k + 3;
  }

  clear(): void {
    this.size = 0;
    // A buffer that grew for a long text does not stay large.
    if (this.data.length > 1 << 16) this.data = new Int32Array(192);
  }
}

/** Per variant: the entry's fields that every match of it carries (null for exclusions). */
export interface Templates {
  ids: readonly KeywordEntry['id'][];
  categories: readonly KeywordEntry['category'][];
  severities: readonly KeywordEntry['severity'][];
}

export function templatesOf(entries: readonly (KeywordEntry | null)[]): Templates {
  return {
    ids: entries.map((e) => (e === null ? '' : e.id)),
    categories: entries.map((e) => (e === null ? '' : e.category)),
    severities: entries.map((e) => (e === null ? 0 : e.severity)),
  };
}

/** The Match objects of `buf[from .. to)` (in triples), appended to `out`. */
export function materialise(buf: MatchBuffer, t: Templates, out: Match[], from = 0, to = buf.size): Match[] {
  const d = buf.data;
  const { ids, categories, severities } = t;
  for (let k = from; k < to; k += 3) {
    const v = d[k] as number;
    out.push({
      id: ids[v] as string,
      start: d[k + 1] as number,
      end: d[k + 2] as number,
      category: categories[v] as string,
      severity: severities[v] as number,
    });
  }
  return out;
}
