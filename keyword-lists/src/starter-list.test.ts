import { Value } from '@sinclair/typebox/value';
import { KeywordEntrySchema } from '@vigil/shared';
import { STARTER_LIST } from './starter-list';

describe('starter list', () => {
  it.each(STARTER_LIST.map((e) => [e.id, e]))('%s is a valid keyword entry', (_id, entry) => {
    expect(Value.Check(KeywordEntrySchema, entry)).toBe(true);
  });

  it('has unique ids', () => {
    expect(new Set(STARTER_LIST.map((e) => e.id)).size).toBe(STARTER_LIST.length);
  });
});
