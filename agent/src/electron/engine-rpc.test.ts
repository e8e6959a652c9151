import { FakeTrayEngine } from './engine.fake';
import { RemoteEngine, serveEngine, type MessageLink } from './engine-rpc';
import { EngineSupervisor, type EngineChild } from './engine-supervisor';

/** Two ends of a channel; messages are delivered asynchronously and cloned, as between processes. */
function linkPair(): [MessageLink, MessageLink, { cut(): void }] {
  const listeners: [Set<(m: unknown) => void>, Set<(m: unknown) => void>] = [new Set(), new Set()];
  let open = true;
  const end = (mine: 0 | 1): MessageLink => ({
    post: (message) => {
      const copy = structuredClone(message);
      setImmediate(() => {
        if (open) for (const l of listeners[mine === 0 ? 1 : 0]) l(copy);
      });
    },
    onMessage: (listener) => {
      listeners[mine].add(listener);
      return () => listeners[mine].delete(listener);
    },
  });
  return [end(0), end(1), { cut: () => (open = false) }];
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function connected() {
  const engine = new FakeTrayEngine();
  const [engineEnd, trayEnd, wire] = linkPair();
  const stopServing = serveEngine(engine, engineEnd);
  const remote = new RemoteEngine();
  remote.attach(trayEnd);
  return { engine, remote, wire, stopServing };
}

describe('the engine process protocol', () => {
  it('the tray sees the engine’s snapshot and each change of it', async () => {
    const { engine, remote } = connected();
    expect(remote.snapshot().connection).toBe('unknown');
    await tick();
    expect(remote.snapshot()).toEqual(engine.snapshot());
    const changed = jest.fn();
    remote.onSnapshot(changed);
    engine.update({ queueDepth: 7, connection: 'offline' });
    await tick();
    expect(changed).toHaveBeenCalled();
    expect(remote.snapshot()).toMatchObject({ queueDepth: 7, connection: 'offline' });
  });

  it('a report carries the evidence taken in the engine process, which never leaves it', async () => {
    const { engine, remote } = connected();
    const evidence = await remote.takeEvidence();
    expect(evidence.takenAt).toBe('2026-11-25T10:00:01.000Z');
    await expect(remote.reportConcern('worried', evidence)).resolves.toEqual({ id: 'report-1' });
    // The engine got back its own evidence object, not a copy made by the tray.
    expect(engine.reports[0]!.text).toBe('worried');
    expect(engine.reports[0]!.evidence).toBe(engine.issued[0]);
  });

  it('captured notices reach the tray', async () => {
    const { engine, remote } = connected();
    const seen = jest.fn();
    remote.onCaptured(seen);
    engine.capture({ id: 'c9', categories: ['self-harm'], maxSeverity: 4 });
    await tick();
    expect(seen).toHaveBeenCalledWith(expect.objectContaining({ id: 'c9', categories: ['self-harm'], maxSeverity: 4 }));
  });

  it('an engine error reaches the caller as its code', async () => {
    const { engine, remote } = connected();
    engine.failReport = true;
    await expect(remote.reportConcern('x', null)).rejects.toMatchObject({ code: 'AGENT_ERR_CAPTURE_FAILED' });
  });

  it('when the engine process dies, calls in flight fail and the tray shows it as not connected', async () => {
    const { engine, remote, wire } = connected();
    await tick();
    engine.update({ connection: 'online' });
    await tick();
    let release!: () => void;
    engine.reportGate = new Promise((resolve) => (release = resolve));
    const inFlight = remote.reportConcern('x', null);
    await tick();
    wire.cut();
    remote.detach();
    release();
    await expect(inFlight).rejects.toMatchObject({ code: 'AGENT_ERR_ENGINE_UNAVAILABLE' });
    expect(remote.snapshot().connection).toBe('unknown');
    await expect(remote.takeEvidence()).rejects.toMatchObject({ code: 'AGENT_ERR_ENGINE_UNAVAILABLE' });
  });

  it('ignores messages that are not the protocol', async () => {
    const engine = new FakeTrayEngine();
    const [engineEnd, trayEnd] = linkPair();
    serveEngine(engine, engineEnd);
    trayEnd.post({ type: 'reportConcern', id: 1, text: 5 });
    trayEnd.post('hello');
    const remote = new RemoteEngine();
    const [, fakeEngineEnd] = linkPair();
    remote.attach(fakeEngineEnd);
    await tick();
    expect(engine.reports).toEqual([]);
  });
});

describe('the engine supervisor', () => {
  function harness() {
    let now = 0;
    const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
    const children: { child: EngineChild; exit: (code: number) => void; killed: boolean }[] = [];
    const exits: [number, number][] = [];
    const supervisor = new EngineSupervisor({
      fork: () => {
        let onExit: (code: number) => void = () => undefined;
        const entry = {
          killed: false,
          exit: (code: number) => onExit(code),
          child: {
            link: linkPair()[0],
            onExit: (l: (code: number) => void) => (onExit = l),
            kill: () => {
              entry.killed = true;
            },
          },
        };
        children.push(entry);
        return entry.child;
      },
      timer: {
        now: () => now,
        set: (fn, ms) => {
          const t = { at: now + ms, fn, cancelled: false };
          timers.push(t);
          return { cancel: () => (t.cancelled = true) };
        },
      },
      onStarted: () => undefined,
      onExited: (code, wait) => exits.push([code, wait]),
    });
    const advance = (ms: number) => {
      now += ms;
      for (const t of timers.filter((t) => !t.cancelled && t.at <= now)) {
        t.cancelled = true;
        t.fn();
      }
    };
    return { supervisor, children, exits, advance };
  }

  it('starts the engine again when it dies, waiting longer each time, up to a minute', () => {
    const { supervisor, children, exits, advance } = harness();
    supervisor.start();
    for (let i = 0; i < 8; i++) {
      children.at(-1)!.exit(1);
      advance(60_000);
    }
    expect(children).toHaveLength(9);
    expect(exits.map(([, wait]) => wait)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  });

  it('after a good run, a crash restarts it quickly again', () => {
    const { supervisor, children, exits, advance } = harness();
    supervisor.start();
    children.at(-1)!.exit(1);
    advance(1000);
    children.at(-1)!.exit(1);
    advance(2000);
    advance(5 * 60_000);
    children.at(-1)!.exit(1);
    expect(exits.map(([, wait]) => wait)).toEqual([1000, 2000, 1000]);
  });

  it('stop() ends the engine and does not start it again', () => {
    const { supervisor, children, advance } = harness();
    supervisor.start();
    supervisor.stop();
    expect(children[0]!.killed).toBe(true);
    children[0]!.exit(0);
    advance(120_000);
    expect(children).toHaveLength(1);
  });
});
