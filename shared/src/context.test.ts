import { contextAround } from './context';

describe('contextAround', () => {
  const text = 'a'.repeat(200) + 'MATCH' + 'b'.repeat(200);

  it('keeps 80 characters each side of the match', () => {
    const { context, offset } = contextAround(text, 200, 205);
    expect(context).toBe('a'.repeat(80) + 'MATCH' + 'b'.repeat(80));
    expect(offset).toBe(120);
  });

  it('stops at the ends of the text', () => {
    expect(contextAround('xx MATCH yy', 3, 8)).toEqual({ context: 'xx MATCH yy', offset: 0 });
  });

  it('never cuts an emoji in half', () => {
    const emoji = '😀';
    const t = 'x' + emoji + 'y'.repeat(79) + 'MATCH';
    const { context } = contextAround(t, t.length - 5, t.length);
    expect(context.startsWith(emoji)).toBe(true);
  });
});
