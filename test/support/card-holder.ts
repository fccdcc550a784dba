/**
 * "Another program holds the card": a separate process (as pharmacy software or GALSS would
 * be) connected to a reader of a private pcscd with an EXCLUSIVE or SHARED connection, until
 * released. pcsc-mini straight, none of our card code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CardHolder {
  child: ChildProcess;
  release(): Promise<void>;
}

export async function holdCard(socketPath: string, reader: string, mode: 'EXCLUSIVE' | 'SHARED' = 'EXCLUSIVE'): Promise<CardHolder> {
  const code = `
const { createRequire } = require('node:module');
const pcsc = createRequire(${JSON.stringify(path.join(repoRoot, 'package.json'))})('pcsc-mini');
const client = new pcsc.Client();
client.on('reader', async (reader) => {
  if (reader.name() !== ${JSON.stringify(reader)}) return;
  // The card may have been plugged a moment ago: pcscd sees it at its next poll (400 ms); the
  // companion may be looking at it (a brief shared connection) when we ask for it exclusively.
  let card;
  for (let tries = 0; ; tries++) {
    try { card = await reader.connect(pcsc.CardMode.${mode}); break; }
    catch (error) { if (!['NoSmartCard', 'SharingViolation'].includes(error.code) || tries >= 100) throw error; await new Promise((r) => setTimeout(r, 50)); }
  }
  process.stdout.write('held\\n');
  process.stdin.on('data', async () => { await card.disconnect(pcsc.CardDisposition.LEAVE); process.stdout.write('released\\n'); process.exit(0); });
});
client.start();
`;
  const child = spawn(process.execPath, ['-e', code], { env: { ...process.env, PCSCLITE_CSOCK_NAME: socketPath }, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const wait = async (word: string) => {
    const deadline = Date.now() + 10_000;
    while (!out.includes(word)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`card holder never said ${word}: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await wait('held');
  return {
    child,
    async release() {
      if (child.exitCode !== null) return;
      child.stdin!.write('go\n');
      await wait('released');
    },
  };
}
