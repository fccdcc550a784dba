/**
 * Start-up bench (issue 11 §2): what a technician waits for, measured as ratios to `node -e 0`
 * taken in the same round (the machine is shared: absolute times drift, ratios hold).
 *
 *   node -e 0                          the floor: starting Node itself
 *   ecps atr <ATR>                     `node bin/ecps.mjs atr …` — no card, runs in one process
 *   ecps readers                       `node bin/ecps.mjs readers` against a private pcscd with a
 *                                      CPS3 in slot 0: launcher + card worker + PC/SC + identification
 *   ATR_analysis <ATR>                 pcsc-tools' tool, for reference (when installed)
 *   bin/start.mjs → URL                the web shell, process start to its URL line (demo reader)
 *   npm start → URL                    `npm start -- --no-open --demo`, nothing changed since the
 *                                      last build (npm's own start-up included)
 *
 * Targets: atr ≤ 2.5×, readers ≤ 3× `node -e 0`; npm start → URL ≤ 1.5 s. (Process start →
 * interactive home ≤ 1.0 s is measured in Chromium by bench/app.ts.)
 * Every command's freshness check of the bundles is included (tools/build-state.mjs); the
 * bundles are built first, outside the timed rounds.
 * Env: BENCH_STARTUP_ROUNDS (default 15).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ensureBuilt, TARGETS } from '../tools/build-state.mjs';
import { startPcscRig } from '../test/support/pcscd-rig';
import { VpcdSlot } from '../simulators/cards/vpcd-bridge';
import { createVirtualCard } from '../simulators/cards/catalog';
import { fmt, median, quantile, ratioSummary, rotate } from './stats';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 15);
/** A card our own base does not know (MIFARE Classic 1K, PC/SC part 3): `ecps atr` names it from pcsc-tools' list — its longer path. */
const LISTED_ATR = '3B8F8001804F0CA000000306030001000000006A';
const URL_LINE = /^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}\s*$/m;

/** Wall time of one command run to completion (its output discarded; a failure throws). */
function timeRun(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${command} ${args.join(' ')} → exit ${code}\n${stderr}`))));
  });
}

/** Process start → the URL line on stdout; then the whole process group is stopped. */
function timeToUrl(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const timer = setTimeout(() => done(new Error(`no URL line within 30 s:\n${out}`)), 30_000);
    const done = (result: number | Error) => {
      clearTimeout(timer);
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
      } catch {
        // already gone
      }
      child.once('exit', () => (typeof result === 'number' ? resolve(result) : reject(result)));
    };
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (URL_LINE.test(out)) done(performance.now() - t0);
    });
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      if (!URL_LINE.test(out)) {
        clearTimeout(timer);
        reject(new Error(`${command} exited (${code}) before its URL line:\n${out}`));
      }
    });
  });
}

async function main(): Promise<void> {
  const built = await ensureBuilt(TARGETS);
  const rig = await startPcscRig({ nodelay: true });
  const slot = new VpcdSlot(createVirtualCard('cps3'), { port: rig.vpcdPort, slot: 0 });
  await slot.insert();
  await new Promise((r) => setTimeout(r, 800)); // pcscd polls vpcd every 400 ms
  const env = { ...process.env, ECPS_LANG: 'fr', DISPLAY: '', WAYLAND_DISPLAY: '' };
  const ecps = path.join(ROOT, 'bin', 'ecps.mjs');
  const atrAnalysis = ['/usr/bin/ATR_analysis', '/usr/local/bin/ATR_analysis'].find((p) => existsSync(p));
  const npm = spawnSync('which', ['npm'], { encoding: 'utf8' }).stdout.trim();

  const methods: { name: string; run: () => Promise<number> }[] = [
    { name: 'node -e 0', run: () => timeRun(process.execPath, ['-e', '0'], env) },
    { name: 'ecps atr', run: () => timeRun(process.execPath, [ecps, 'atr', LISTED_ATR], env) },
    { name: 'ecps readers', run: () => timeRun(process.execPath, [ecps, 'readers'], env) },
  ];
  if (atrAnalysis) methods.push({ name: 'ATR_analysis', run: () => timeRun(atrAnalysis, [LISTED_ATR], env) });
  // One warm-up of each (page cache, pcscd's first client).
  for (const m of methods) await m.run();

  const times: Record<string, number[]> = {};
  const ratios: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const roundTimes: Record<string, number> = {};
    for (const m of rotate(methods, round)) {
      roundTimes[m.name] = await m.run();
      (times[m.name] ??= []).push(roundTimes[m.name] as number);
    }
    for (const m of methods) (ratios[m.name] ??= []).push((roundTimes[m.name] as number) / (roundTimes['node -e 0'] as number));
  }

  const shellUrl: number[] = [];
  const npmUrl: number[] = [];
  const shellRounds = Math.max(5, Math.ceil(ROUNDS / 2));
  for (let round = 0; round < shellRounds; round++) {
    shellUrl.push(await timeToUrl(process.execPath, [path.join(ROOT, 'bin', 'start.mjs'), '--no-open', '--demo'], env));
    if (npm) npmUrl.push(await timeToUrl(npm, ['start', '--silent', '--', '--no-open', '--demo'], env));
  }

  console.log(`Compagnon e-CPS — démarrage (${new Date().toISOString()})${built.length ? ` — bundles construits d'abord : ${built.join(', ')}` : ''}`);
  console.log(`${ROUNDS} tours, ordre tournant ; rapport = temps / « node -e 0 » du même tour (médiane, IQR)`);
  const targets: Record<string, number> = { 'ecps atr': 2.5, 'ecps readers': 3 };
  for (const m of methods) {
    const target = targets[m.name];
    const verdict = target === undefined ? '' : ` — cible ≤ ${target}× : ${median(ratios[m.name] ?? []) <= target ? 'atteinte' : 'NON atteinte'}`;
    console.log(`  ${m.name.padEnd(14)} ${fmt(median(times[m.name] ?? []), 0).padStart(5)} ms   ${ratioSummary(ratios[m.name] ?? [])}${verdict}`);
  }
  const summary = (v: number[]) => `médiane ${fmt(median(v), 0)} ms (IQR ${fmt(quantile(v, 0.25), 0)}–${fmt(quantile(v, 0.75), 0)})`;
  console.log(`\n  bin/start.mjs --no-open --demo → ligne d'URL : ${summary(shellUrl)}`);
  if (npmUrl.length) {
    console.log(`  npm start (rien de changé) → ligne d'URL     : ${summary(npmUrl)} — cible ≤ 1500 ms : ${median(npmUrl) <= 1500 ? 'atteinte' : 'NON atteinte'}`);
  }
  await slot.remove();
  await rig.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
