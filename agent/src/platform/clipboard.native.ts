import { execFile } from 'node:child_process';
import { AgentError } from '../errors';
import type { ClipboardSource } from '../core/ports';

interface ClipboardCommand {
  file: string;
  args: string[];
}

/** How each platform prints the clipboard's text. */
export function clipboardCommand(platform: NodeJS.Platform = process.platform): ClipboardCommand {
  switch (platform) {
    case 'darwin':
      return { file: 'pbpaste', args: [] };
    case 'win32':
      return { file: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', 'Get-Clipboard -Raw'] };
    default:
      // X11: xclip (Debian package xclip). UTF8_STRING so that non-ASCII text comes through.
      return { file: 'xclip', args: ['-o', '-selection', 'clipboard', '-t', 'UTF8_STRING'] };
  }
}

export interface NativeClipboardOptions {
  /** A read that takes longer than this has failed (default 3 s). */
  timeoutMs?: number;
  /** Larger clipboards are not read (default 1 MiB). */
  maxBytes?: number;
}

/** The clipboard's text through the platform's own tool: xclip, pbpaste or PowerShell. */
export class NativeClipboard implements ClipboardSource {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(options: NativeClipboardOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
  }

  readText(): Promise<string | null> {
    if (process.platform === 'linux' && !process.env.DISPLAY) {
      return Promise.reject(
        new AgentError('AGENT_ERR_CLIPBOARD_UNAVAILABLE', 'DISPLAY is not set: there is no X clipboard to read.'),
      );
    }
    const { file, args } = clipboardCommand();
    return new Promise((resolve, reject) => {
      execFile(
        file,
        args,
        { timeout: this.timeoutMs, maxBuffer: this.maxBytes, encoding: 'utf8', windowsHide: true },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return resolve(null);
          // The tool is missing, the display is gone or the tool hangs: the source is broken.
          if (code === 'ENOENT' || /can't open display/i.test(stderr) || error.killed) {
            return reject(new AgentError('AGENT_ERR_CLIPBOARD_UNAVAILABLE', undefined, { cause: error }));
          }
          // Empty, not text (an image), or too large to be worth reading: no text to match.
          resolve(null);
        },
      );
    });
  }
}
