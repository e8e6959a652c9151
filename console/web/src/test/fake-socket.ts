import { vi } from 'vitest';

type AnyListener = (name: string, event: unknown) => void;

/** socket.io-client replaced by an in-memory socket the test can emit on. */
export const fakeSocket = {
  options: undefined as unknown,
  anyListeners: [] as AnyListener[],
  handlers: new Map<string, () => void>(),
  emit(name: string, event: unknown) {
    for (const l of this.anyListeners) l(name, event);
  },
  reset() {
    this.anyListeners = [];
    this.handlers.clear();
    this.options = undefined;
  },
};

vi.mock('socket.io-client', () => ({
  io: (options: unknown) => {
    fakeSocket.options = options;
    return {
      on: (name: string, handler: () => void) => fakeSocket.handlers.set(name, handler),
      onAny: (listener: AnyListener) => fakeSocket.anyListeners.push(listener),
      disconnect: () => undefined,
    };
  },
}));
