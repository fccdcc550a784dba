/**
 * The numbers the without-card screen suggests to trainees (issue 12 item 6) exist in the
 * sandbox directory and lead where the screen says: contact on file, contact missing, ADELI.
 */
import { describe, expect, it } from 'vitest';
import { TRAINING_IDS } from '../../../src-renderer/components/training-ids';
import { parseNationalId } from '../../../src-main/activation/national-id';
import { SandboxAuthority } from '../../../simulators/authority/index';

describe('training identifiers shown in demo', () => {
  it.each(TRAINING_IDS.map((t) => [t.value, t.outcome] as const))('%s leads to "%s"', async (value, outcome) => {
    const parsed = parseNationalId(value);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    if (outcome === 'adeli') {
      expect(parsed.id.kind).toBe('adeli');
      return;
    }
    expect(parsed.id.kind).toBe('rpps');
    const found = await new SandboxAuthority().lookupProfessional(`8${(parsed.id as { rpps: string }).rpps}`);
    expect(found.contactOnFile).toBe(outcome === 'onFile');
  });
});
