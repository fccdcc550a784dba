/**
 * Fix-it action "register OpenSC in this browser" (Linux), run only after the user confirmed
 * on screen: NSS's own tools, on exactly one database the probe listed —
 *   certutil -d sql:DIR -N --empty-password   (only when the database does not exist yet:
 *                                               Chromium creates ~/.pki/nssdb at first start)
 *   modutil  -dbdir sql:DIR -add "OpenSC" -libfile <opensc-pkcs11.so> -force
 * (`-force` answers modutil's "is the browser running?" prompt; a running browser may keep
 * its old module list until restarted, which the result says). The renderer only names an
 * action and a folder; the folder must be one the probe found again now, so no other path
 * can be written.
 */
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import type { LocalizedText } from '../../src-shared/errors';
import { runCommand, type CommandRunner } from './command-runner';
import { readinessError } from './errors';
import { cardModules, findLinuxMiddleware, linuxDatabases, whichInPath, type LinuxBrowserProbeOptions } from './linux-probe';
import { readNssDatabase } from './nss';

export const OPENSC_MODULE_NAME = 'OpenSC';

export interface FixResult {
  ok: boolean;
  message: LocalizedText;
  /** The commands run, for technicians. */
  commands: string[];
}

export async function registerOpenscInNss(database: string, options: LinuxBrowserProbeOptions = {}): Promise<FixResult> {
  const run: CommandRunner = options.run ?? runCommand;
  const home = options.home ?? os.homedir();
  const which = options.which ?? ((name: string) => whichInPath(name));
  const middleware = await findLinuxMiddleware(run, options);
  if (!middleware.opensc) throw readinessError('FixNotAvailable', { reason: 'OpenSC (opensc-pkcs11) n’est pas installé / OpenSC (opensc-pkcs11) is not installed' });
  const listed = (await linuxDatabases(run, home, which)).find((db) => db.directory === database);
  if (!listed) throw readinessError('FixNotAvailable', { reason: `base inconnue / unknown database ${database}` });
  if (listed.format === 'dbm') throw readinessError('FixNotAvailable', { reason: 'ancienne base (dbm) : ouvrez le navigateur pour la mettre à jour / old (dbm) database: open the browser to upgrade it' });
  if (cardModules(listed, middleware).length > 0) {
    return { ok: true, message: { fr: 'Un module de carte est déjà enregistré dans ce navigateur.', en: 'A card module is already registered in this browser.' }, commands: [] };
  }
  const commands: string[] = [];
  const manual = `modutil -dbdir sql:${database} -add ${OPENSC_MODULE_NAME} -libfile ${middleware.opensc.library}`;
  if (listed.format === 'missing') {
    if (listed.browser === 'firefox') throw readinessError('FixNotAvailable', { reason: 'profil Firefox introuvable : ouvrez Firefox une fois / Firefox profile not found: open Firefox once' });
    mkdirSync(database, { recursive: true, mode: 0o700 });
    const create = ['-d', `sql:${database}`, '-N', '--empty-password'];
    commands.push(`certutil ${create.join(' ')}`);
    const created = await run('certutil', create);
    if (created.missing) throw readinessError('FixFailed', { reason: 'certutil absent (paquet libnss3-tools) / certutil missing (package libnss3-tools)', command: `sudo apt install libnss3-tools && ${manual}` });
    if (created.code !== 0) throw readinessError('FixFailed', { reason: (created.stderr || created.stdout).trim().slice(0, 300), command: manual });
  }
  const args = ['-dbdir', `sql:${database}`, '-add', OPENSC_MODULE_NAME, '-libfile', middleware.opensc.library, '-force'];
  commands.push(`modutil ${args.join(' ')}`);
  const added = await run('modutil', args);
  if (added.missing) throw readinessError('FixFailed', { reason: 'modutil absent (paquet libnss3-tools) / modutil missing (package libnss3-tools)', command: `sudo apt install libnss3-tools && ${manual}` });
  if (added.code !== 0) throw readinessError('FixFailed', { reason: (added.stderr || added.stdout).trim().slice(0, 300), command: manual });
  // Read back: the module must now be in the database's own list.
  const after = await readNssDatabase({ browser: listed.browser, label: listed.label, directory: database }, run);
  if (!existsSync(database) || cardModules(after, middleware).length === 0) throw readinessError('FixFailed', { reason: 'module absent après l’ajout / module missing after adding it', command: manual });
  return {
    ok: true,
    message: {
      fr: `OpenSC est enregistré dans ${listed.label}. Redémarrez ce navigateur pour qu’il le charge.`,
      en: `OpenSC is registered in ${listed.label}. Restart this browser so it loads it.`,
    },
    commands,
  };
}
