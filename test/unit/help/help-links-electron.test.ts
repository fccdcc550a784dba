/**
 * In Electron the app's window never navigates: a help link goes to the system browser only
 * when it is exactly one of the help file's https links (electron-wiring.ts guardWebContents).
 */
import { describe, expect, it, vi } from 'vitest';
import { guardWebContents } from '../../../src-main/shell/electron-wiring';
import { helpLinkAllowlist, loadHelpFile } from '../../../src-main/settings/help';
import { mockEvent, mockWebContents } from '../shell/electron-mocks';

const allowlist = helpLinkAllowlist(loadHelpFile());
const helpUrl = [...allowlist][0]!;

function setup() {
  const open = vi.fn(async () => undefined);
  const log = vi.fn();
  const wc = mockWebContents(1);
  guardWebContents(wc.contents, log, { allowlist, open });
  return { open, log, wc };
}

describe('help links under Electron', () => {
  it('a help link asked as a new window opens in the system browser; the window is still denied', async () => {
    const { open, wc } = setup();
    expect(wc.openWindow(helpUrl)).toEqual({ action: 'deny' });
    await vi.waitFor(() => expect(open).toHaveBeenCalledWith(helpUrl));
  });

  it('a navigation to a help link is prevented and the link opened outside', async () => {
    const { open, wc } = setup();
    const event = mockEvent();
    wc.emit('will-navigate', event, helpUrl);
    expect(event.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(open).toHaveBeenCalledTimes(1));
  });

  it('anything else is denied and never opened: other sites, http, another page of the same host', async () => {
    const { open, wc, log } = setup();
    const host = new URL(helpUrl).origin;
    for (const url of ['https://evil.example/', helpUrl.replace('https:', 'http:'), `${host}/elsewhere`, 'file:///etc/passwd']) {
      expect(wc.openWindow(url)).toEqual({ action: 'deny' });
      const event = mockEvent();
      wc.emit('will-navigate', event, url);
      expect(event.preventDefault).toHaveBeenCalled();
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(open).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith('electron: new window denied');
  });

  it('without an allowlist (no shell given) every link is denied', async () => {
    const wc = mockWebContents(1);
    guardWebContents(wc.contents);
    expect(wc.openWindow(helpUrl)).toEqual({ action: 'deny' });
  });
});
