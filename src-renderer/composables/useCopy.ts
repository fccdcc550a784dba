/**
 * Copying a text (the diagnostic summary, the activation reference) and saving a file (the
 * diagnostic report), from a button, with a status to announce.
 *
 * Copy: the Clipboard API first; under Electron every permission request is denied
 * (architecture.md §4), so the older copy command — which needs no permission, only the user's
 * click — is the fallback. Save: a download of a Blob (`<a download>`): Chromium saves it to the
 * Downloads folder, Electron asks where.
 */
import { ref } from 'vue';

export type CopyStatus = 'idle' | 'copied' | 'failed';

export function useCopy() {
  const status = ref<CopyStatus>('idle');

  async function copy(text: string): Promise<boolean> {
    try {
      await navigator.clipboard.writeText(text);
      status.value = 'copied';
      return true;
    } catch {
      // no permission (Electron), no secure context: the fallback below
    }
    const before = document.activeElement as HTMLElement | null;
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'visually-hidden';
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    before?.focus();
    status.value = ok ? 'copied' : 'failed';
    return ok;
  }

  return { status, copy };
}

/** Offers `content` as a file named `name` (the browser's own download, nothing sent anywhere). */
export function saveFile(name: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has its own copy once started: the URL can go.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `2026-12-04-1530`: sortable, no characters a file system refuses. */
export function fileStamp(date = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}-${two(date.getHours())}${two(date.getMinutes())}`;
}
