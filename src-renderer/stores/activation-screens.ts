import type { Step } from './wizard';

export type ActivationFlow = 'with-card' | 'without-card';

/**
 * Which screen shows a driver step (src-main/activation/with-card.ts, without-card.ts).
 * `null`: stay where we are (an error to show in place, the cancellation we asked for).
 */
export function screenOf(flow: ActivationFlow, step: string): Step | null {
  const shared: Record<string, Step> = {
    'code-entry': 'code',
    'choosing-password': 'password',
    'confirming-password': 'phone-password',
    'registering-phone': 'phone-password',
    done: 'activation-done',
    failed: 'activation-failed',
  };
  const own: Record<string, Step> =
    flow === 'with-card'
      ? {
          'card-ready': 'pin',
          cgu: 'cgu',
          'starting-activation': 'qr',
          'signing-challenge': 'qr',
          'proving-card': 'qr',
          'showing-qr': 'qr',
        }
      : {
          'national-id': 'without-card',
          'looking-up': 'without-card',
          'ready-to-request': 'without-card-request',
          requesting: 'without-card-request',
          'epop-guidance': 'without-card-epop',
          'adeli-needs-card': 'activation-failed',
          'awaiting-phone-scan': 'without-card-sent',
          'sms-code': 'without-card-sms',
        };
  return own[step] ?? shared[step] ?? null;
}
