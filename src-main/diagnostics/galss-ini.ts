/**
 * galss.ini: where GALSS (the SESAM-Vitale reader access manager installed by ATSAM) maps its
 * channels to readers. Facts (research notes §5, Odaiji×JuxtaLink kit changelog): sections
 * `[CANALn]` whose `Caracteristiques=` names the PC/SC reader; in field kits CANAL1 = CPS and
 * CANAL2 = Vitale; swapped channels are a frequent support case. Other keys vary [?]: they are
 * kept as evidence, not interpreted.
 *
 * Where the file lives is not documented publicly [I]: the candidate paths below come from the
 * ATSAM-era layouts seen in the research notes (`/usr/local/galss/` on Linux, macOS
 * preferences, the Windows folder); the diagnostics options can replace them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface GalssChannel {
  /** n of `[CANALn]`. */
  number: number;
  /** The `Caracteristiques=` value (the PC/SC reader name in PC/SC mode). */
  reader?: string;
  /** Every key of the section, as written (lower-cased keys). */
  fields: Record<string, string>;
}

export interface GalssIni {
  path: string;
  channels: GalssChannel[];
  sections: string[];
}

/** Tolerant INI parser: `;`/`#` comments, `[section]`, `key=value`, CRLF, a UTF-8 BOM. */
export function parseGalssIni(text: string, file = 'galss.ini'): GalssIni {
  const sections: string[] = [];
  const channels: GalssChannel[] = [];
  let current: GalssChannel | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      const name = section[1]!.trim();
      sections.push(name);
      const canal = /^CANAL\s*(\d+)$/i.exec(name);
      current = canal ? { number: Number(canal[1]), fields: {} } : undefined;
      if (current) channels.push(current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    current.fields[key] = value;
    if (key === 'caracteristiques' || key === 'caractéristiques') current.reader = value;
  }
  channels.sort((a, b) => a.number - b.number);
  return { path: file, channels, sections };
}

export interface GalssLocation {
  /** Folders whose presence means GALSS is installed. */
  installDirs: string[];
  /** galss.ini candidates, first found wins. */
  iniPaths: string[];
}

export function defaultGalssLocation(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): GalssLocation {
  if (platform === 'win32') {
    const windir = env.WINDIR ?? env.SystemRoot ?? 'C:\\Windows';
    const programFiles = env.ProgramFiles ?? 'C:\\Program Files';
    const programFilesX86 = env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)';
    return {
      installDirs: [path.win32.join(programFiles, 'santesocial', 'galss'), path.win32.join(programFilesX86, 'santesocial', 'galss')],
      iniPaths: [path.win32.join(windir, 'galss.ini'), path.win32.join(programFilesX86, 'santesocial', 'galss', 'galss.ini')],
    };
  }
  if (platform === 'darwin') {
    return {
      installDirs: ['/Library/Frameworks/galssosx.framework', '/Library/Frameworks/galclosx.framework'],
      iniPaths: ['/Library/Preferences/santesocial/galss.ini', '/Library/Preferences/galss.ini'],
    };
  }
  return {
    installDirs: ['/usr/local/galss', '/opt/santesocial/galss'],
    iniPaths: ['/usr/local/galss/galss.ini', '/etc/galss.ini', '/etc/opt/santesocial/galss.ini'],
  };
}

export interface GalssFindings {
  installed: boolean;
  installDir?: string;
  ini?: GalssIni;
  /** A galss.ini exists but could not be read. */
  readError?: string;
  searched: string[];
}

export function findGalss(location: GalssLocation): GalssFindings {
  const installDir = location.installDirs.find((dir) => existsSync(dir));
  const iniPath = location.iniPaths.find((file) => existsSync(file));
  const searched = [...location.installDirs, ...location.iniPaths];
  if (!iniPath) return { installed: installDir !== undefined, ...(installDir ? { installDir } : {}), searched };
  try {
    const ini = parseGalssIni(readFileSync(iniPath, 'latin1'), iniPath);
    return { installed: true, ...(installDir ? { installDir } : {}), ini, searched };
  } catch (error) {
    return { installed: true, readError: error instanceof Error ? error.message : String(error), searched };
  }
}

/** The PC/SC reader a channel names: exact, then case-insensitive, then one containing the other. */
export function readerForChannel(channel: GalssChannel, readerNames: readonly string[]): string | undefined {
  const wanted = channel.reader?.trim();
  if (!wanted) return undefined;
  const lower = wanted.toLowerCase();
  return (
    readerNames.find((n) => n === wanted) ??
    readerNames.find((n) => n.toLowerCase() === lower) ??
    (lower.length >= 4 ? readerNames.find((n) => n.toLowerCase().startsWith(lower) || lower.startsWith(n.toLowerCase())) : undefined)
  );
}
