/**
 * The companion as the user runs it: `node bin/start.mjs --no-open` in its own process (web
 * shell, real PC/SC reader port and live monitor, the same services as the desktop window),
 * and a websocket client speaking its IPC protocol with the secret token it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { repoRoot } from './cli';

export interface IpcReply {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message?: unknown };
}

export interface RunningCompanion {
  url: string;
  /** `{ id, channel, payload }` → `{ ok, result | error }`. */
  call(channel: string, payload?: Record<string, unknown>): Promise<IpcReply>;
  /** Events received so far (`{ event, payload }`). */
  readonly events: { event: string; payload: unknown }[];
  output(): string;
  stop(): Promise<void>;
}

export async function startCompanion(env: NodeJS.ProcessEnv): Promise<RunningCompanion> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecps-companion-'));
  const child: ChildProcess = spawn(process.execPath, ['bin/start.mjs', '--no-open'], {
    cwd: repoRoot,
    env: { ...process.env, ...env, DISPLAY: '', WAYLAND_DISPLAY: '', ECPS_CONFIG_DIR: path.join(dir, 'config'), ECPS_LOG_DIR: path.join(dir, 'logs') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the companion printed no URL in time:\n${out}`)), 30_000);
    const look = () => {
      const found = out.split('\n').find((l) => /^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/.test(l.trim()));
      if (found) {
        clearTimeout(timer);
        resolve(found.trim());
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => reject(new Error(`the companion exited (${code}):\n${out}`)));
  });
  const url = new URL(line);
  const token = url.hash.replace('#token=', '');
  const ws = new WebSocket(`ws://${url.host}/ipc`, { headers: { Origin: url.origin } });
  const events: { event: string; payload: unknown }[] = [];
  const pending = new Map<number, (reply: IpcReply) => void>();
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type === 'auth-ok') resolve();
      else if (typeof message.id === 'number') pending.get(message.id)?.(message as unknown as IpcReply);
      else if (typeof message.event === 'string') events.push({ event: message.event, payload: message.payload });
    });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
  });
  let nextId = 1;
  return {
    url: url.origin,
    events,
    output: () => out,
    call(channel, payload = {}) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, (reply) => {
          pending.delete(id);
          resolve(reply);
        });
        ws.send(JSON.stringify({ id, channel, payload }));
      });
    },
    async stop() {
      ws.close();
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
