import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HELP_TOPIC_IDS } from '../../../src-shared/ipc-contract';
import { DEFAULT_HELP_FILE, helpFileSchema, helpLinkAllowlist, helpTopicsIn, isAllowedHelpLink, loadHelpFile } from '../../../src-main/settings/help';
import { isEcpsError } from '../../../src-shared/errors';

const raw = JSON.parse(readFileSync(DEFAULT_HELP_FILE, 'utf8')) as { version: 1; topics: Array<Record<string, unknown>> };
const clone = () => JSON.parse(JSON.stringify(raw)) as typeof raw;
const help = loadHelpFile();

describe('resources/help/help.json', () => {
  it('passes its schema: every topic once, fr and en for every text, no empty text, https links only', () => {
    expect(helpFileSchema.safeParse(raw).success).toBe(true);
    expect(help.topics.map((t) => t.id).sort()).toEqual([...HELP_TOPIC_IDS].sort());
  });

  it('French and English have the same shape, topic by topic, and differ in their words', () => {
    const fr = helpTopicsIn(help, 'fr');
    const en = helpTopicsIn(help, 'en');
    for (const [i, topic] of fr.entries()) {
      const other = en[i]!;
      expect(other.id).toBe(topic.id);
      expect([other.paragraphs.length, other.steps.length, other.links.length, other.phones.length]).toEqual([
        topic.paragraphs.length,
        topic.steps.length,
        topic.links.length,
        topic.phones.length,
      ]);
      expect(other.title).not.toBe(topic.title);
    }
  });

  it('carries the facts of the brief: ANS support number, ATSAM, Wi-Fi isolation and the Internet link, e-POP steps and 48 h', () => {
    const fr = Object.fromEntries(helpTopicsIn(help, 'fr').map((t) => [t.id, JSON.stringify(t)]));
    expect(fr['who-to-call']).toContain('0 825 852 000');
    expect(fr['who-to-call']).toMatch(/CIS/);
    expect(fr['old-reader']).toMatch(/ATSAM/);
    expect(fr['old-reader']).toMatch(/autre ordinateur/);
    expect(fr['phone-connectivity']).toMatch(/même réseau Wi-Fi/);
    expect(fr['phone-connectivity']).toMatch(/isolation/);
    // In plain words (issue 12 item 10): the link through the Internet, not "le relais".
    expect(fr['phone-connectivity']).toMatch(/par Internet/);
    expect(fr['phone-connectivity']).not.toMatch(/relais/);
    expect(fr['phone-connectivity']).toMatch(/4G/);
    expect(fr.epop).toMatch(/Données professionnelles/);
    expect(fr.epop).toMatch(/loupe/);
    expect(fr.epop).toMatch(/crayon sur fond orange/);
    expect(fr.epop).toMatch(/48 heures/);
    const epop = helpTopicsIn(help, 'fr').find((t) => t.id === 'epop')!;
    expect(epop.steps.length).toBeGreaterThanOrEqual(4);
  });

  it('covers a lost or stolen phone (issue 12 item 9): who suspends the e-CPS, how, and what next', () => {
    const lost = helpTopicsIn(help, 'fr').find((t) => t.id === 'lost-phone')!;
    expect(lost.title).toMatch(/Téléphone perdu ou volé/);
    expect(lost.steps.join(' ')).toMatch(/suspension de votre e-CPS/);
    expect(lost.steps.join(' ')).toMatch(/opérateur/);
    expect(lost.steps.join(' ')).toMatch(/activez à nouveau/);
    expect(lost.phones.map((p) => p.number)).toContain('0 825 852 000');
    expect(lost.links.every((l) => l.url.startsWith('https://esante.gouv.fr/'))).toBe(true);
  });

  it('links the CPS pages it names (issue 12 item 7): ordering and loss or theft', () => {
    const fr = helpTopicsIn(help, 'fr');
    for (const id of ['no-card', 'lost-card'] as const) {
      expect(fr.find((t) => t.id === id)!.links.map((l) => l.url)).toContain('https://esante.gouv.fr/assistance');
    }
    expect(fr.find((t) => t.id === 'epop')!.links.map((l) => l.url)).toContain('https://www.ordre.pharmacien.fr');
  });

  it('refuses an http link, an empty text, a missing English text, a missing or doubled topic', () => {
    const http = clone();
    (http.topics[0] as { links: Array<{ url: string }> }).links = [{ label: { fr: 'x', en: 'x' }, url: 'http://esante.gouv.fr/' } as never];
    expect(helpFileSchema.safeParse(http).success).toBe(false);
    const js = clone();
    (js.topics[0] as { links: unknown[] }).links = [{ label: { fr: 'x', en: 'x' }, url: 'javascript:alert(1)' }];
    expect(helpFileSchema.safeParse(js).success).toBe(false);
    const empty = clone();
    (empty.topics[1] as { paragraphs: Array<{ fr: string; en: string }> }).paragraphs[0]!.fr = '   ';
    expect(helpFileSchema.safeParse(empty).success).toBe(false);
    const noEn = clone();
    delete (noEn.topics[2] as { title: { en?: string } }).title.en;
    expect(helpFileSchema.safeParse(noEn).success).toBe(false);
    const missing = clone();
    missing.topics.pop();
    expect(helpFileSchema.safeParse(missing).success).toBe(false);
    const doubled = clone();
    doubled.topics.push(doubled.topics[0]!);
    expect(helpFileSchema.safeParse(doubled).success).toBe(false);
    const bare = clone();
    Object.assign(bare.topics[1]!, { paragraphs: [], steps: [] });
    expect(helpFileSchema.safeParse(bare).success).toBe(false);
  });

  describe('an invalid file on disk', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ecps-help-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    it('is a coded error (HelpDataInvalid), not a crash deep in the renderer', () => {
      const file = path.join(dir, 'help.json');
      writeFileSync(file, '{"version":1,"topics":[]}');
      let caught: unknown;
      try {
        loadHelpFile(file);
      } catch (error) {
        caught = error;
      }
      expect(isEcpsError(caught, 'HelpDataInvalid')).toBe(true);
    });
  });
});

describe('help links allowed out of the app', () => {
  const allow = helpLinkAllowlist(help);
  it('are exactly the https links of the file', () => {
    const links = help.topics.flatMap((t) => t.links.map((l) => l.url));
    expect(allow.size).toBeGreaterThan(0);
    for (const url of links) expect(isAllowedHelpLink(allow, url)).toBe(true);
  });
  it('refuse anything else: another page of the same site, http, credentials trick, other schemes', () => {
    const one = [...allow][0]!;
    const u = new URL(one);
    expect(isAllowedHelpLink(allow, `${u.origin}/autre-page`)).toBe(false);
    expect(isAllowedHelpLink(allow, one.replace('https:', 'http:'))).toBe(false);
    expect(isAllowedHelpLink(allow, `https://${u.host}@evil.example${u.pathname}`)).toBe(false);
    expect(isAllowedHelpLink(allow, `https://evil.example/?u=${encodeURIComponent(one)}`)).toBe(false);
    expect(isAllowedHelpLink(allow, 'file:///etc/passwd')).toBe(false);
    expect(isAllowedHelpLink(allow, 'not a url')).toBe(false);
  });
});
