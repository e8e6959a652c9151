'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS worker entry point, run as it is */
/**
 * The tesseract.js worker thread's entry point (plain JavaScript: a worker thread runs a file as
 * it is, also when the agent's tests run from the TypeScript sources).
 *
 * OCR is background work: on a busy laptop it yields to the pupil's programs and to the agent's
 * own capture path (screenshot, encoding, outbox), which decides how soon a capture is safe. On
 * Linux a nice value belongs to a thread, so this lowers only this thread (and threads it starts)
 * before tesseract.js's own Node worker script runs. Where that is not allowed, OCR runs at
 * normal priority.
 */
const os = require('node:os');

const OCR_WORKER_NICE = 10;
try {
  os.setPriority(OCR_WORKER_NICE);
} catch {
  // Not allowed or not supported here.
}
require('tesseract.js/src/worker-script/node/index.js');
