import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { CaptureNewEvent, CaptureUpdatedEvent } from '../api/types';

export interface LiveEvents {
  'capture:new': CaptureNewEvent;
  'capture:updated': CaptureUpdatedEvent;
  'device:status': { id: string; schoolId: string; hostname: string; lastSeenAt: string | null; revoked: boolean };
  'lists:published': { schoolId: string; version?: number };
}

type Listener<K extends keyof LiveEvents> = (event: LiveEvents[K]) => void;

interface LiveValue {
  connected: boolean;
  subscribe<K extends keyof LiveEvents>(name: K, listener: Listener<K>): () => void;
}

const LiveContext = createContext<LiveValue>({ connected: false, subscribe: () => () => undefined });

/** One socket.io connection to /api/live for the signed-in session. */
export function LiveProvider({ csrfToken, children }: { csrfToken: string; children: ReactNode }) {
  const [connected, setConnected] = useState(false);
  const socketRef = useRef<Socket | null>(null);
  const listeners = useRef(new Map<string, Set<(event: unknown) => void>>());

  useEffect(() => {
    const socket = io({ path: '/api/live', auth: { csrfToken }, withCredentials: true });
    socketRef.current = socket;
    socket.on('connect', () => setConnected(true));
    socket.on('disconnect', () => setConnected(false));
    socket.onAny((name: string, event: unknown) => {
      for (const listener of listeners.current.get(name) ?? []) listener(event);
    });
    return () => {
      socket.disconnect();
      socketRef.current = null;
    };
  }, [csrfToken]);

  const subscribe = useCallback(<K extends keyof LiveEvents>(name: K, listener: Listener<K>) => {
    const set = listeners.current.get(name) ?? new Set();
    const wrapped = listener as (event: unknown) => void;
    set.add(wrapped);
    listeners.current.set(name, set);
    return () => {
      set.delete(wrapped);
    };
  }, []);
  const value = useMemo<LiveValue>(() => ({ connected, subscribe }), [connected, subscribe]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveValue {
  return useContext(LiveContext);
}

/** Subscribes for the component's lifetime; the latest listener is always the one called. */
export function useLiveEvent<K extends keyof LiveEvents>(name: K, listener: Listener<K>): void {
  const { subscribe } = useLive();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => subscribe(name, (event) => ref.current(event)), [subscribe, name]);
}
