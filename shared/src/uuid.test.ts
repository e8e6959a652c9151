import { Value } from '@sinclair/typebox/value';
import { UuidV7Schema } from './protocol/common.schema';
import { uuidv7, uuidv7Time } from './uuid';

describe('uuidv7', () => {
  it('makes ids the protocol accepts', () => {
    for (let i = 0; i < 100; i++) expect(Value.Check(UuidV7Schema, uuidv7())).toBe(true);
  });

  it('carries its creation time', () => {
    expect(uuidv7Time(uuidv7(1_700_000_000_123))).toBe(1_700_000_000_123);
  });

  it('sorts by creation time', () => {
    const ids = [3, 1, 2].map((s) => uuidv7(1_700_000_000_000 + s * 1000));
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0]]);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000)));
    expect(ids.size).toBe(1000);
  });
});
