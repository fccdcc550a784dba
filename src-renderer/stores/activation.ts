import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { errorText, useBridge } from '../composables/useBridge';
import { useWizardStore } from './wizard';
import { screenOf, type ActivationFlow } from './activation-screens';
import type { ActivationUiEvent, EventOf, ResponseOf, Unsubscribe } from '../../src-shared/ipc-contract';

export { screenOf, type ActivationFlow };

export type AuthorityView = ResponseOf<'activation.start'>['authority'];

/** What went wrong, as the driver (or the bridge) said it, with the step it belongs to. */
export interface ActivationProblem {
  code: string;
  message: string;
  remedy?: string;
  /** The driver step that failed. */
  step: string;
  /** "Réessayer" resumes the step that failed (the authority did not answer…). */
  resumable: boolean;
}

export interface ShownQr {
  payload: string;
  expiresAt: number;
  generation: number;
  /** Demo/sandbox only: the reference phone page with this payload in its fragment. */
  phonePageUrl?: string;
}

type ErrorEvent = Extract<ActivationUiEvent, { type: 'error' }>;

/**
 * The running activation as the UI sees it: starts a flow, listens to `activation.event` for
 * its own session only, keeps the QR, its expiry and generation, the phone's connection, the
 * attempts left and the last problem, and moves the wizard to the screen of each step.
 * Secrets (the PIN, the e-CPS password) only pass through: nothing here keeps them.
 */
export const useActivationStore = defineStore('activation', () => {
  const sessionId = ref<string | null>(null);
  const flow = ref<ActivationFlow | null>(null);
  const authority = ref<AuthorityView | null>(null);
  /** The driver's step and its sentence ("Scannez le QR code…"). */
  const step = ref<string | null>(null);
  const stepText = ref('');
  const qr = ref<ShownQr | null>(null);
  /** QR codes renewed automatically since the first one (each one a new token). */
  const renewals = ref(0);
  const connection = ref<'direct' | 'relay' | null>(null);
  const attemptsLeft = ref<number | null>(null);
  const error = ref<ActivationProblem | null>(null);
  /** Without the card: the masked contact details on file, shown before anything is sent. */
  const contact = ref<{ email?: string; mobile?: string } | null>(null);
  /**
   * Without the card: where the e-mail with the QR went (masked by the authority), until when
   * its QR works, the demo phone page for it, and how many e-mails were sent (« Renvoyer »).
   */
  const request = ref<{
    activationId: string;
    sentTo: string;
    expiresAt?: number;
    receivedAt: number;
    phonePageUrl?: string;
    /** Every request of this activation, the latest last (each « Renvoyer l’e-mail » is a new one). */
    ids: string[];
  } | null>(null);
  const smsSentTo = ref<string | null>(null);
  /** SMS code tries left (the companion's count, the same the phone shows). */
  const smsAttemptsLeft = ref<number | null>(null);
  /** SMS sent for this request (« Renvoyer le SMS » makes it 2, 3…). */
  const smsCount = ref(0);
  /** The CGU version read and accepted on the CGU screen, sent with « Commencer l’activation ». */
  const cguAccepted = ref<string | null>(null);
  /** The CGU changed between reading and « Commencer »: the new version, to be read again. */
  const cguChanged = ref<string | null>(null);
  const completedAt = ref<string | null>(null);
  const activationId = ref<string | null>(null);
  const ended = ref(false);
  const busy = ref(false);
  /** A clock for the QR countdown, ticking once a second while a QR is shown. */
  const now = ref(Date.now());

  let unsubscribe: Unsubscribe | undefined;
  let starting = false;
  let buffered: EventOf<'activation.event'>[] = [];
  /** The next `state` event carries the step the last error belongs to. */
  let errorAwaitsStep = false;
  /** The step shown with the error (the step that failed may differ: authority-error). */
  let errorShownAt: string | null = null;
  let clock: ReturnType<typeof setInterval> | undefined;

  const running = computed(() => sessionId.value !== null && !ended.value);
  const secondsLeft = computed(() => (qr.value ? Math.max(0, Math.ceil((qr.value.expiresAt - now.value) / 1000)) : 0));
  /** The error can be acted on with "Réessayer" (resumable, or the paused QR). */
  const canRetry = computed(() => !!error.value && (error.value.resumable || error.value.code === 'QrRenewalLimit') && running.value);

  function resetState() {
    sessionId.value = null;
    flow.value = null;
    authority.value = null;
    step.value = null;
    stepText.value = '';
    qr.value = null;
    renewals.value = 0;
    connection.value = null;
    attemptsLeft.value = null;
    error.value = null;
    contact.value = null;
    request.value = null;
    smsSentTo.value = null;
    smsAttemptsLeft.value = null;
    smsCount.value = 0;
    cguAccepted.value = null;
    cguChanged.value = null;
    completedAt.value = null;
    activationId.value = null;
    ended.value = false;
    busy.value = false;
    errorAwaitsStep = false;
    stopClock();
  }

  function startClock() {
    now.value = Date.now();
    if (clock === undefined) clock = setInterval(() => (now.value = Date.now()), 1_000);
  }

  function stopClock() {
    if (clock !== undefined) clearInterval(clock);
    clock = undefined;
  }

  function listen() {
    if (unsubscribe) return;
    const { bridge } = useBridge();
    unsubscribe = bridge.on('activation.event', (payload) => {
      if (payload.sessionId === sessionId.value) handle(payload.event);
      else if (starting) buffered.push(payload);
    });
  }

  function handle(event: ActivationUiEvent) {
    const wizard = useWizardStore();
    switch (event.type) {
      case 'state': {
        step.value = event.step;
        stepText.value = event.text;
        if (errorAwaitsStep) {
          errorAwaitsStep = false;
          errorShownAt = event.step;
        } else if (error.value && errorShownAt !== event.step) error.value = null;
        if (event.step !== 'showing-qr' && event.step !== 'awaiting-phone-scan') stopClock();
        if (event.step === 'showing-qr' || event.step === 'starting-activation') connection.value = null;
        // « Renvoyer l’e-mail » passes through `requesting` again: stay on the e-mail screen.
        const resending = event.step === 'requesting' && wizard.step === 'without-card-sent';
        // The CGU accepted on screen, « Commencer l’activation » not clicked yet: the driver still waits at `cgu`.
        const starting = event.step === 'cgu' && wizard.step === 'start';
        const screen = flow.value ? screenOf(flow.value, event.step) : null;
        if (screen && !resending && !starting) wizard.advance(screen);
        return;
      }
      case 'qr':
        if (qr.value && event.generation !== qr.value.generation && step.value === 'showing-qr') renewals.value++;
        qr.value = { payload: event.payload, expiresAt: event.expiresAt, generation: event.generation, ...(event.phonePageUrl ? { phonePageUrl: event.phonePageUrl } : {}) };
        startClock();
        return;
      case 'contact':
        contact.value = { ...(event.email ? { email: event.email } : {}), ...(event.mobile ? { mobile: event.mobile } : {}) };
        return;
      case 'request-sent':
        request.value = {
          activationId: event.activationId,
          sentTo: event.sentTo,
          receivedAt: Date.now(),
          ids: [...(request.value?.ids ?? []), event.activationId],
          ...(event.expiresAt !== undefined ? { expiresAt: event.expiresAt } : {}),
          ...(event.phonePageUrl ? { phonePageUrl: event.phonePageUrl } : {}),
        };
        activationId.value = event.activationId;
        return;
      case 'sms-attempts':
        smsAttemptsLeft.value = event.attemptsLeft;
        return;
      case 'phone-connected':
        connection.value = event.via;
        return;
      case 'code-required':
        attemptsLeft.value = event.attemptsLeft;
        return;
      case 'sms-sent':
        smsSentTo.value = event.sentTo;
        smsCount.value++;
        return;
      case 'password-required':
      case 'phone-password':
        return;
      case 'done':
        activationId.value = event.activationId;
        completedAt.value = event.completedAt ?? new Date().toISOString();
        return;
      case 'error':
        setError(event);
        return;
      case 'end':
        ended.value = true;
        stopClock();
        return;
    }
  }

  function setError(event: ErrorEvent) {
    error.value = {
      code: event.code,
      message: event.message,
      ...(event.remedy ? { remedy: event.remedy } : {}),
      step: event.step,
      resumable: event.resumable,
    };
    errorAwaitsStep = true;
    errorShownAt = step.value;
  }

  /** A request the bridge refused (companion gone, invalid payload…): shown like a driver error. */
  function bridgeFailed(e: unknown, lang: 'fr' | 'en') {
    const text = errorText(e, lang);
    error.value = { code: text.code, message: text.message, ...(text.remedy ? { remedy: text.remedy } : {}), step: step.value ?? '', resumable: false };
    errorAwaitsStep = false;
    errorShownAt = step.value;
  }

  /** Starts a flow (a running one is cancelled by the companion first). Resolves false on failure. */
  async function start(which: ActivationFlow, options: { reader?: string; lang?: 'fr' | 'en' } = {}): Promise<boolean> {
    const { bridge } = useBridge();
    listen();
    resetState();
    flow.value = which;
    busy.value = true;
    starting = true;
    buffered = [];
    try {
      const res = await bridge.activationStart({ flow: which, ...(options.reader ? { reader: options.reader } : {}) });
      sessionId.value = res.sessionId;
      authority.value = res.authority;
      // Events sent before the answer (the first `state`) arrive first: replay ours.
      for (const p of buffered.splice(0)) if (p.sessionId === res.sessionId) handle(p.event);
      return true;
    } catch (e) {
      bridgeFailed(e, options.lang ?? 'fr');
      return false;
    } finally {
      starting = false;
      buffered = [];
      busy.value = false;
    }
  }

  async function act<T>(fn: () => Promise<T>, lang: 'fr' | 'en'): Promise<T | undefined> {
    error.value = null;
    errorAwaitsStep = false;
    busy.value = true;
    try {
      return await fn();
    } catch (e) {
      bridgeFailed(e, lang);
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  const submitCode = (code: string, lang: 'fr' | 'en' = 'fr') => act(() => useBridge().bridge.activationSubmitCode({ code }), lang);
  const choosePassword = (first: string, second: string, lang: 'fr' | 'en' = 'fr') =>
    act(() => useBridge().bridge.activationChoosePassword({ first, second }), lang);
  const enterNationalId = (value: string, lang: 'fr' | 'en' = 'fr') => act(() => useBridge().bridge.activationEnterNationalId({ value }), lang);
  const confirmRequest = (lang: 'fr' | 'en' = 'fr') => act(() => useBridge().bridge.activationConfirmRequest({}), lang);
  const retry = (lang: 'fr' | 'en' = 'fr') => act(() => useBridge().bridge.activationRetry({}), lang);
  const resend = (what: 'email' | 'sms', lang: 'fr' | 'en' = 'fr') => act(() => useBridge().bridge.activationResend({ what }), lang);

  /** Stops the activation in the companion (releases the card, closes the phone link). */
  async function cancel(): Promise<void> {
    const had = sessionId.value !== null && !ended.value;
    resetState();
    if (!had) return;
    try {
      await useBridge().bridge.activationCancel({});
    } catch {
      // The companion is gone: nothing is left running there either.
    }
  }

  /**
   * The UI was (re)loaded: an activation left running by a previous page holds the card and
   * the pairing server for nobody. Stop it.
   */
  async function releaseLeftovers(): Promise<void> {
    listen();
    if (sessionId.value !== null) return;
    try {
      await useBridge().bridge.activationCancel({});
    } catch {
      // not connected yet, or nothing to cancel
    }
  }

  /** "Recommencer": back to the first screen of the same flow, nothing left running. */
  async function restart(): Promise<void> {
    const which = flow.value ?? 'with-card';
    await cancel();
    const wizard = useWizardStore();
    wizard.home();
    wizard.go(which === 'with-card' ? 'preparation' : 'without-card');
  }

  return {
    sessionId,
    flow,
    authority,
    step,
    stepText,
    qr,
    renewals,
    connection,
    attemptsLeft,
    error,
    contact,
    request,
    smsSentTo,
    smsAttemptsLeft,
    smsCount,
    cguAccepted,
    cguChanged,
    completedAt,
    activationId,
    ended,
    busy,
    now,
    running,
    secondsLeft,
    canRetry,
    start,
    submitCode,
    choosePassword,
    enterNationalId,
    confirmRequest,
    retry,
    resend,
    cancel,
    releaseLeftovers,
    restart,
  };
});
