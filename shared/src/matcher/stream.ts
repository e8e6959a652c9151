import type { Scanner } from './scanner';
import type { Match, MatchStream } from './types';

export function createStream(scanner: Scanner, findAll: (text: string) => Match[]): MatchStream {
  return {
    push(text: string): Match[] {
      scanner.write(text);
      return scanner.take();
    },
    backspace(count = 1): void {
      scanner.backspace(count);
    },
    flush(): Match[] {
      return scanner.finish();
    },
    reset(): void {
      scanner.reset();
    },
    get text(): string {
      return scanner.text();
    },
    matches(): Match[] {
      return findAll(scanner.text());
    },
  };
}
