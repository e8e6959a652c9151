// A short two-tone chime for severity-5 captures (Web Audio: no file to fetch, nothing inline).

const KEY = 'vigil.sound';

export function soundEnabled(): boolean {
  return localStorage.getItem(KEY) === 'on';
}

export function setSoundEnabled(on: boolean): void {
  localStorage.setItem(KEY, on ? 'on' : 'off');
}

export function playAlert(): void {
  const Ctx = window.AudioContext;
  if (!Ctx) return;
  try {
    const ctx = new Ctx();
    const at = ctx.currentTime;
    for (const [i, freq] of [880, 660].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, at + i * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.25, at + i * 0.25 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + i * 0.25 + 0.22);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at + i * 0.25);
      osc.stop(at + i * 0.25 + 0.24);
    }
    setTimeout(() => void ctx.close(), 1000);
  } catch {
    // No audio device: the visible notice is what matters.
  }
}
