// The one way the dashboard talks to the console: same-origin fetch with the session cookie, the
// CSRF header on every state change, and errors as ApiError carrying the console's code.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
const listeners = new Set<(error: ApiError) => void>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** Called on 401 (session over) and on the 403s that send the user back to sign-in steps. */
export function onAuthError(listener: (error: ApiError) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const AUTH_CODES = new Set([
  'CONSOLE_ERR_UNAUTHENTICATED',
  'CONSOLE_ERR_TOTP_SETUP_REQUIRED',
  'CONSOLE_ERR_PASSWORD_CHANGE_REQUIRED',
]);

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  options: { quiet?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-vigil-csrf'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The console could not be reached. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    const err = (data ?? {}) as { code?: string; message?: string };
    const error = new ApiError(
      response.status,
      err.code ?? `HTTP_${response.status}`,
      err.message ?? `The console answered ${response.status}.`,
    );
    // Only "no session" ends the session: a wrong code on a form is a 401 too, and is the form's to show.
    if (!options.quiet && AUTH_CODES.has(error.code)) {
      for (const listener of listeners) listener(error);
    }
    throw error;
  }
  return data as T;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', withQuery(path, query));
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

/** A readable sentence for any error thrown by api(). */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
