/// <reference types="node" />
// Node-only: shared/src/node may use Node built-ins; the rest of shared runs in browsers too.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { type KeywordEntry, KeywordEntrySchema } from '../protocol/policy.schema';

export interface LoadedLists {
  entries: KeywordEntry[];
  exclusions: string[];
}

/**
 * Reads every `*.json` file of a directory, in name order. A file is either an array of keyword
 * entries or an object `{ "entries": [...], "exclusions"?: ["..."] }`. Every entry is checked
 * against KeywordEntrySchema; the error names the file and the entry.
 */
export async function loadLists(dir: string): Promise<LoadedLists> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  if (names.length === 0) throw new Error(`${dir}: no *.json list files`);
  const entries: KeywordEntry[] = [];
  const exclusions: string[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let data: unknown;
    try {
      data = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
    }
    const body = Array.isArray(data) ? { entries: data } : (data as { entries?: unknown; exclusions?: unknown });
    if (typeof body !== 'object' || body === null || !Array.isArray(body.entries)) {
      throw new Error(`${file}: expected an array of keyword entries or { "entries": [...] }`);
    }
    body.entries.forEach((entry: unknown, i: number) => {
      if (!Value.Check(KeywordEntrySchema, entry)) {
        const first = [...Value.Errors(KeywordEntrySchema, entry)][0];
        throw new Error(`${file}: entry ${i}: ${first ? `${first.path || '/'} ${first.message}` : 'invalid'}`);
      }
      entries.push(entry);
    });
    if (body.exclusions !== undefined) {
      if (!Array.isArray(body.exclusions) || !body.exclusions.every((x) => typeof x === 'string')) {
        throw new Error(`${file}: "exclusions" must be an array of strings`);
      }
      exclusions.push(...(body.exclusions as string[]));
    }
  }
  return { entries, exclusions };
}
