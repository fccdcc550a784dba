/**
 * The portal address setting (official-links.ts explains the default): a small JSON file
 * `real-activation.json` in the companion's configuration folder (beside settings.json,
 * ECPS_CONFIG_DIR overrides), written atomically. A missing, corrupt or refused value means
 * the default: the portal link always points at an esante.gouv.fr https address.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { resolveConfigDir } from '../settings/config-dir';
import { writeAtomically } from '../settings/settings-store';
import { DEFAULT_PORTAL_URL, isOfficialEsanteUrl } from './official-links';
import { readinessError } from './errors';

export const PORTAL_SETTING_FILE = 'real-activation.json';

const fileSchema = z.object({ version: z.literal(1), portalUrl: z.string().max(500) }).strict();

/** The address as it will be saved (normalised by the URL parser), or PortalUrlRefused. */
export function checkPortalUrl(value: string): string {
  const text = value.trim();
  if (!isOfficialEsanteUrl(text)) throw readinessError('PortalUrlRefused', { value: text.slice(0, 200) });
  return new URL(text).href;
}

export class PortalSetting {
  readonly file: string;
  private current: string;

  constructor(options: { file?: string; directory?: string } = {}) {
    this.file = options.file ?? path.join(options.directory ?? resolveConfigDir(), PORTAL_SETTING_FILE);
    this.current = readPortalUrl(this.file);
  }

  get url(): string {
    return this.current;
  }

  get isDefault(): boolean {
    return this.current === DEFAULT_PORTAL_URL;
  }

  /** Saves a new address ('default' goes back to the default). */
  set(value: string): string {
    const next = value.trim() === 'default' ? DEFAULT_PORTAL_URL : checkPortalUrl(value);
    try {
      writeAtomically(this.file, `${JSON.stringify({ version: 1, portalUrl: next }, null, 2)}\n`);
    } catch (error) {
      throw readinessError('PortalSettingWriteFailed', { file: this.file }, { cause: error });
    }
    this.current = next;
    return next;
  }
}

function readPortalUrl(file: string): string {
  try {
    const parsed = fileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success && isOfficialEsanteUrl(parsed.data.portalUrl)) return new URL(parsed.data.portalUrl).href;
  } catch {
    // missing or unreadable: the default
  }
  return DEFAULT_PORTAL_URL;
}
