// Lints code snippets as if they were files at the given repository paths, with the repository's
// own ESLint config. Reads [{ file, code }] as JSON on stdin; writes one array of messages per case.
// (A separate process because jest cannot load ESLint's ESM config loader.)
import { ESLint } from 'eslint';

const input = await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (b) => (text += b));
  process.stdin.on('end', () => resolve(JSON.parse(text)));
});
const eslint = new ESLint({ cwd: process.env.REPO });
const out = [];
for (const { file, code } of input) {
  const [result] = await eslint.lintText(code, { filePath: `${process.env.REPO}/${file}` });
  out.push(result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })));
}
process.stdout.write(JSON.stringify(out));
