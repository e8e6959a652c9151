import { useEffect, useState } from 'react';
import { get } from '../api/client';
import type { Device } from '../api/types';

let cache: { at: number; devices: Promise<Device[]> } | null = null;

/** Hostnames by device id (from /api/devices, cached for a minute); empty when the user may not list devices. */
export function useDeviceNames(): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    if (!cache || Date.now() - cache.at > 60_000) {
      cache = {
        at: Date.now(),
        devices: get<{ items: Device[] } | Device[]>('/api/devices')
          .then(itemsOf)
          .catch(() => []),
      };
    }
    let live = true;
    void cache.devices.then((devices) => live && setNames(new Map(devices.map((d) => [d.id, d.hostname]))));
    return () => {
      live = false;
    };
  }, []);
  return names;
}

export function itemsOf<T>(body: { items: T[] } | T[]): T[] {
  return Array.isArray(body) ? body : body.items;
}

export function resetDeviceCache(): void {
  cache = null;
}
