import type { ActiveWindow } from '../core/ports';

/**
 * The walking skeleton does not read the focused window yet: app and title are empty. A
 * `window.native.ts` replaces this behind the same port.
 */
export const unknownWindow: ActiveWindow = {
  current: () => Promise.resolve({ app: '', title: '', url: null }),
};
