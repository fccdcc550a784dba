/**
 * Memory bench (issue 11 §4): a virtual CPS3 plugged and pulled BENCH_MEMORY_CYCLES times
 * (default 1000) against a running companion — the web shell on a private pcscd + vpcd, its
 * page open in Debian's Chromium on the Préparation screen (live reader status over the
 * page's websocket). Reports the web shell's growth between a warmed-up baseline and the end,
 * each measured after a full garbage collection:
 *   RSS (/proc/PID/status), JS heap used (process.memoryUsage() through the inspector),
 *   open file descriptors by kind (sockets, pipes, anon) and Node's active handles by type,
 *   listeners on process and the port's listener count.
 * Target: < 5 MB of growth (RSS and heap), no descriptor, socket, handle or listener leak.
 *
 * vpcd is polled by pcscd every 400 ms, so one cycle takes about a second: 1000 cycles ≈ 17 min.
 * Each cycle waits for pcscd to report the insertion and the removal (a ReaderPort in this
 * process, pcscd's other client); every 100 cycles the page is checked to still follow.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { chromium } from '@playwright/test';
import WebSocket from 'ws';
import { startWebShellProcess } from '../test/e2e/support/web-shell';
import { startPcscRig } from '../test/support/pcscd-rig';
import { VpcdSlot } from '../simulators/cards/vpcd-bridge';
import { createVirtualCard } from '../simulators/cards/catalog';
import { createPcscReaderPort } from '../native-bindings/pcsc';
import { ensureBuilt, TARGETS } from '../tools/build-state.mjs';
import { fmt } from './stats';

const CYCLES = Number(process.env.BENCH_MEMORY_CYCLES ?? 1000);
const WARMUP = Math.min(50, Math.max(5, Math.floor(CYCLES / 20)));
const TARGET_MB = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Snapshot {
  rssMb: number;
  heapUsedMb: number;
  fds: Record<string, number>;
  handles: Record<string, number>;
  processListeners: number;
}

/** A minimal Chrome DevTools Protocol client for the web shell's Node inspector. */
async function inspector(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  const evaluate = async (expression: string) => {
    const result = (await call('Runtime.evaluate', { expression, returnByValue: true })) as { result?: { value?: unknown } };
    return result.result?.value;
  };
  return { call, evaluate, close: () => ws.close() };
}

function fdKinds(pid: number): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target = '';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const kind = target.startsWith('socket:') ? 'socket' : target.startsWith('pipe:') ? 'pipe' : target.startsWith('anon_inode:') ? 'anon' : 'file';
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

async function snapshot(pid: number, cdp: Awaited<ReturnType<typeof inspector>>): Promise<Snapshot> {
  // Two full collections: what is left is what the process holds on to.
  await cdp.call('HeapProfiler.collectGarbage');
  await cdp.call('HeapProfiler.collectGarbage');
  const stats = (await cdp.evaluate(`(() => {
    const handles = {};
    for (const h of process._getActiveHandles()) { const n = h?.constructor?.name ?? 'unknown'; handles[n] = (handles[n] ?? 0) + 1; }
    const processListeners = process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0);
    return { heapUsed: process.memoryUsage().heapUsed, handles, processListeners };
  })()`)) as { heapUsed: number; handles: Record<string, number>; processListeners: number };
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return { rssMb: rssKb / 1024, heapUsedMb: stats.heapUsed / 1024 / 1024, fds: fdKinds(pid), handles: stats.handles, processListeners: stats.processListeners };
}

const diff = (a: Record<string, number>, b: Record<string, number>) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)] as const)
    .filter(([, d]) => d !== 0);

async function main(): Promise<void> {
  await ensureBuilt(TARGETS);
  const rig = await startPcscRig({ nodelay: true });
  const [cpsReader] = rig.readerNames;
  const port = createPcscReaderPort();
  const seen = { inserted: 0, removed: 0 };
  port.onEvent((event) => {
    if (!('reader' in event) || event.reader !== cpsReader) return;
    if (event.type === 'card-inserted') seen.inserted++;
    if (event.type === 'card-removed') seen.removed++;
  });
  await port.start();
  const slot = new VpcdSlot(createVirtualCard('cps3'), { port: rig.vpcdPort, slot: 0, stayInserted: false });
  // On a loaded machine pcscd may answer the shell's first question late and the shell fall
  // back to the demo reader (it says so): start it again then, at most three times.
  let shell = await startWebShellProcess({ env: { PCSCLITE_CSOCK_NAME: rig.socketPath }, nodeArgs: ['--inspect=127.0.0.1:0'] });
  for (let attempt = 1; /MODE DÉMONSTRATION/.test(shell.output()); attempt++) {
    await shell.stop();
    if (attempt === 3) throw new Error(`the web shell fell back to the demo reader three times:\n${shell.output()}`);
    shell = await startWebShellProcess({ env: { PCSCLITE_CSOCK_NAME: rig.socketPath }, nodeArgs: ['--inspect=127.0.0.1:0'] });
  }
  const pid = shell.child.pid as number;
  const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(shell.output())?.[1];
  if (!inspectorUrl) throw new Error(`no inspector URL in the web shell's output:\n${shell.output()}`);
  const cdp = await inspector(inspectorUrl);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  const started = Date.now();
  try {
    const page = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
    await page.goto(shell.url);
    await page.getByRole('button', { name: 'Activer avec ma carte' }).click();
    const cpsSlot = page.getByTestId('slot-cps');
    await cpsSlot.getByText('Pas de carte').waitFor({ timeout: 30_000 });

    const cycle = async () => {
      const before = { ...seen };
      await slot.insert();
      for (const deadline = Date.now() + 10_000; seen.inserted === before.inserted; await sleep(10)) {
        if (Date.now() > deadline) throw new Error('pcscd never reported the insertion');
      }
      await slot.remove();
      for (const deadline = Date.now() + 10_000; seen.removed === before.removed; await sleep(10)) {
        if (Date.now() > deadline) throw new Error('pcscd never reported the removal');
      }
    };
    for (let i = 0; i < WARMUP; i++) await cycle();
    await cpsSlot.getByText('Pas de carte').waitFor({ timeout: 15_000 });
    const baseline = await snapshot(pid, cdp);
    const samples: { cycle: number; s: Snapshot }[] = [{ cycle: 0, s: baseline }];
    for (let i = 1; i <= CYCLES; i++) {
      await cycle();
      if (i % 100 === 0 || i === CYCLES) {
        // The page still follows the reader: the slot shows the card gone.
        await cpsSlot.getByText('Pas de carte').waitFor({ timeout: 15_000 });
        samples.push({ cycle: i, s: await snapshot(pid, cdp) });
        process.stderr.write(`  … ${i}/${CYCLES}\n`);
      }
    }
    const end = samples[samples.length - 1]!.s;
    const rssGrowth = end.rssMb - baseline.rssMb;
    const heapGrowth = end.heapUsedMb - baseline.heapUsedMb;
    const fdDiff = diff(baseline.fds, end.fds);
    const handleDiff = diff(baseline.handles, end.handles);
    const listenerDiff = end.processListeners - baseline.processListeners;
    console.log(`Compagnon e-CPS — mémoire (${new Date().toISOString()})`);
    console.log(`## Web shell sur pcscd privé + vpcd, page ouverte (Préparation), ${CYCLES} insertions/retraits de CPS3 (${WARMUP} d'échauffement), ${fmt((Date.now() - started) / 60000, 1)} min`);
    console.log('  cycle     RSS (Mo)   tas JS (Mo)   descripteurs            handles actifs');
    for (const { cycle, s } of samples) {
      const fds = Object.entries(s.fds).map(([k, v]) => `${k} ${v}`).join(', ');
      const handles = Object.values(s.handles).reduce((a, b) => a + b, 0);
      console.log(`  ${String(cycle).padStart(5)}   ${fmt(s.rssMb, 1).padStart(8)}   ${fmt(s.heapUsedMb, 2).padStart(11)}   ${fds.padEnd(22)}  ${handles}`);
    }
    const ok = (v: boolean) => (v ? 'atteinte' : 'NON atteinte');
    console.log(`  → croissance RSS : ${fmt(rssGrowth, 2)} Mo, tas JS : ${fmt(heapGrowth, 2)} Mo (cible < ${TARGET_MB} Mo : ${ok(rssGrowth < TARGET_MB && heapGrowth < TARGET_MB)})`);
    console.log(`  → descripteurs : ${fdDiff.length ? fdDiff.map(([k, d]) => `${k} ${d > 0 ? '+' : ''}${d}`).join(', ') : 'aucune fuite'} ; handles : ${handleDiff.length ? handleDiff.map(([k, d]) => `${k} ${d > 0 ? '+' : ''}${d}`).join(', ') : 'aucune fuite'} ; écouteurs sur process : ${listenerDiff === 0 ? 'aucune fuite' : `${listenerDiff > 0 ? '+' : ''}${listenerDiff}`}`);
  } finally {
    cdp.close();
    await browser.close();
    await shell.stop();
    await slot.remove();
    await rig.dispose();
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
