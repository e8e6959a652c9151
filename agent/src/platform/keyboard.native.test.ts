import { accessSync, constants, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IGlobalKeyEvent } from 'node-global-key-listener';
import { prepareX11Helper, toKeyEvent } from './keyboard.native';

describe('toKeyEvent', () => {
  const event = (name: IGlobalKeyEvent['name'], state: 'DOWN' | 'UP', raw = ''): IGlobalKeyEvent => ({
    vKey: 0,
    scanCode: 0,
    name,
    state,
    rawKey: { _nameRaw: `KEY_${raw}`, name: raw },
    _raw: '',
  });

  it.each([
    [event('A', 'DOWN'), { kind: 'down', key: 'A' }],
    [event('LEFT SHIFT', 'UP'), { kind: 'up', key: 'LEFT SHIFT' }],
    [event('', 'DOWN', '102ND'), { kind: 'down', key: 'INTL BACKSLASH' }],
    [event('', 'DOWN', 'KPSLASH'), { kind: 'down', key: 'NUMPAD DIVIDE' }],
    [event(undefined, 'DOWN', 'VOLUMEUP'), { kind: 'down', key: 'OTHER' }],
  ])('%j', (input, expected) => {
    expect(toKeyEvent(input)).toEqual(expected);
  });
});

describe('prepareX11Helper', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-helper-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the packaged helper executable (it ships without its execute bit)', async () => {
    const packaged = path.join(dir, 'X11KeyServer');
    writeFileSync(packaged, '#!/bin/sh\n', { mode: 0o644 });
    expect(await prepareX11Helper(path.join(dir, 'bin'), packaged)).toBe(packaged);
    expect(() => accessSync(packaged, constants.X_OK)).not.toThrow();
    expect(statSync(packaged).mode & 0o111).not.toBe(0);
  });

  it('leaves an executable helper as it is', async () => {
    const packaged = path.join(dir, 'X11KeyServer');
    writeFileSync(packaged, '#!/bin/sh\n', { mode: 0o755 });
    expect(await prepareX11Helper(path.join(dir, 'bin'), packaged)).toBe(packaged);
  });

  it('finds the real helper in node_modules', async () => {
    const helper = await prepareX11Helper(path.join(dir, 'bin'));
    expect(path.basename(helper)).toBe('X11KeyServer');
    expect(() => accessSync(helper, constants.X_OK)).not.toThrow();
  });
});
