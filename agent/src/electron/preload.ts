/**
 * The preload of every shell window. Sandboxed preloads may require only `electron`, so this
 * file imports nothing else at run time (the channel names are repeated here; a test checks
 * they match ipc.ts). It exposes exactly one object, `window.vigil`, and passes nothing through
 * that the main process does not check.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { PageView, VigilBridge } from './ipc';
import type { ReportSubmitResult } from './report-flow';

const CHANNELS = { view: 'vigil:view', submitReport: 'vigil:report:submit', close: 'vigil:close' } as const;

const bridge: VigilBridge = {
  view: () => ipcRenderer.invoke(CHANNELS.view) as Promise<PageView>,
  submitReport: (text: string) =>
    ipcRenderer.invoke(CHANNELS.submitReport, { text: String(text) }) as Promise<ReportSubmitResult>,
  close: () => ipcRenderer.send(CHANNELS.close),
};

contextBridge.exposeInMainWorld('vigil', Object.freeze(bridge));
