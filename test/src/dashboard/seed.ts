import sharp from 'sharp';
import { AGENT_API, CAPTURE_PARTS, uuidv7, type CaptureMetadata, type Policy } from '@vigil/shared';

/** An enrolled device, talking to the console through the agent API as the agent does. */
export interface SeedDevice {
  deviceId: string;
  auth: string;
}

export async function enrol(consoleUrl: string, token: string, hostname: string): Promise<SeedDevice> {
  const res = await fetch(`${consoleUrl}${AGENT_API.enrol}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, hostname, os: 'linux', agentVersion: '0.1.0' }),
  });
  if (res.status !== 201) throw new Error(`enrol failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { deviceId: string; deviceSecret: string };
  return { deviceId: body.deviceId, auth: `Device ${body.deviceId}:${body.deviceSecret}` };
}

export async function heartbeat(
  consoleUrl: string,
  device: SeedDevice,
  user: string,
  policyVersion: string,
): Promise<void> {
  const res = await fetch(`${consoleUrl}${AGENT_API.heartbeat}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: device.auth },
    body: JSON.stringify({
      agentVersion: '0.1.0',
      policyVersion,
      queueDepth: 0,
      user,
      lastCaptureAt: null,
      sentAt: new Date().toISOString(),
    }),
  });
  if (!res.ok) throw new Error(`heartbeat failed: ${res.status} ${await res.text()}`);
}

/** The policy as the agent sees it, with its ETag. */
export async function policy(consoleUrl: string, device: SeedDevice): Promise<{ etag: string; policy: Policy }> {
  const res = await fetch(`${consoleUrl}${AGENT_API.policy}`, { headers: { authorization: device.auth } });
  if (!res.ok) throw new Error(`policy failed: ${res.status}`);
  return { etag: res.headers.get('etag') ?? '', policy: (await res.json()) as Policy };
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A screenshot that looks like one: a window with a title bar and the text, and the agent's banner. */
async function screenshot(title: string, text: string, banner: string): Promise<{ full: Buffer; thumb: Buffer }> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="800">
    <rect width="1280" height="800" fill="#3b4252"/>
    <rect x="120" y="90" width="1040" height="600" rx="6" fill="#ffffff"/>
    <rect x="120" y="90" width="1040" height="36" rx="6" fill="#d8dee9"/>
    <text x="140" y="114" font-family="DejaVu Sans" font-size="16" fill="#2e3440">${escapeXml(title)}</text>
    <text x="150" y="190" font-family="DejaVu Sans Mono" font-size="24" fill="#111">${escapeXml(text)}</text>
    <rect x="0" y="760" width="1280" height="40" fill="#000" fill-opacity="0.75"/>
    <text x="16" y="786" font-family="DejaVu Sans" font-size="18" fill="#fff">${escapeXml(banner)}</text>
  </svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  return {
    full: await sharp(png).webp({ quality: 80 }).toBuffer(),
    thumb: await sharp(png).resize(320, 200).webp({ quality: 70 }).toBuffer(),
  };
}

export interface SeedCapture {
  user: string;
  phrase: string;
  context: string;
  severity: number;
  category: string;
  entryId: string;
  app?: string;
  windowTitle?: string;
  url?: string | null;
  source?: CaptureMetadata['source'];
  minutesAgo?: number;
}

/** Uploads one capture through the agent API (multipart, as the agent sends it); returns its id. */
export async function upload(
  consoleUrl: string,
  device: SeedDevice,
  hostname: string,
  c: SeedCapture,
): Promise<string> {
  const capturedAt = new Date(Date.now() - (c.minutesAgo ?? 0) * 60_000).toISOString();
  const start = c.context.toLowerCase().indexOf(c.phrase.toLowerCase());
  if (start < 0) throw new Error(`"${c.phrase}" is not in the context`);
  const metadata: CaptureMetadata = {
    id: uuidv7(),
    capturedAt,
    deviceId: device.deviceId,
    user: c.user,
    source: c.source ?? 'typed',
    app: c.app ?? 'chromium',
    windowTitle: c.windowTitle ?? 'Chat - Google Chrome',
    url: c.url === undefined ? 'https://chat.example.com/' : c.url,
    matches: [
      {
        entryId: c.entryId,
        phrase: c.phrase,
        category: c.category,
        severity: c.severity,
        start,
        end: start + c.phrase.length,
      },
    ],
    context: c.context,
    severity: c.severity,
    count: 1,
    policyVersion: 'starter-1',
  };
  const images = await screenshot(metadata.windowTitle, c.context, `${capturedAt}  ${hostname}  ${c.user}`);
  const form = new FormData();
  form.append(CAPTURE_PARTS.metadata, JSON.stringify(metadata));
  form.append(CAPTURE_PARTS.screenshot, new Blob([new Uint8Array(images.full)], { type: 'image/webp' }), 'shot.webp');
  form.append(CAPTURE_PARTS.thumbnail, new Blob([new Uint8Array(images.thumb)], { type: 'image/webp' }), 'thumb.webp');
  const res = await fetch(`${consoleUrl}${AGENT_API.captures}`, {
    method: 'POST',
    headers: { authorization: device.auth },
    body: form,
  });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return metadata.id;
}

/** The id the served policy gives a curated phrase (so seeded captures point at real list entries). */
export function entryIdOf(p: Policy, phrase: string): { id: string; category: string; severity: number } {
  const entry = p.keywords.find((k) => k.phrase === phrase);
  if (!entry) throw new Error(`no list entry "${phrase}"`);
  return { id: entry.id, category: entry.category, severity: entry.severity };
}
