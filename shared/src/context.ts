/** Characters of context kept on each side of a match: the evidence, and no more. */
export const CONTEXT_RADIUS = 80;

export interface ContextWindow {
  /** The text around the match. */
  context: string;
  /** Where the window starts in the original text. */
  offset: number;
}

/** Cut `text` to the span [start, end) plus `radius` characters each side, never splitting a surrogate pair. */
export function contextAround(
  text: string,
  start: number,
  end: number,
  radius: number = CONTEXT_RADIUS,
): ContextWindow {
  let from = Math.max(0, start - radius);
  let to = Math.min(text.length, end + radius);
  if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from -= 1;
  if (to < text.length && isLowSurrogate(text.charCodeAt(to))) to += 1;
  return { context: text.slice(from, to), offset: from };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
