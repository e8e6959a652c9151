// The `aho-corasick` package (0.1.3, a devDependency: the oracle of the differential test) ships
// no types.
declare module 'aho-corasick' {
  class AhoCorasick {
    add(word: string, data: unknown): void;
    build_fail(): this;
    search(text: string, callback: (word: string, data: unknown[], offset: number) => void): this;
  }
  export = AhoCorasick;
}
