import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { useBridge } from '../composables/useBridge';
import { useReaderStore } from './reader';
import type { PortalInfo, ReadinessReportView } from '../../src-shared/ipc-contract';
import type { REAL_OUTCOMES, REAL_PROBLEMS, REAL_STEPS } from '../../src-shared/ipc-contract';

export type RealFlow = 'with-card' | 'without-card';
export type RealStep = (typeof REAL_STEPS)[number];
export type RealOutcome = (typeof REAL_OUTCOMES)[number];
export type RealProblem = (typeof REAL_PROBLEMS)[number];
/** start: choose the path · ready: "Prêt pour l'activation ?" · guide: the steps · finish: how it ended. */
export type RealStage = 'start' | 'ready' | 'guide' | 'finish';

/** The official order (djibe/recommandations-medicales e-cps.md, esante.gouv.fr FAQ). */
export const FLOW_STEPS: Record<RealFlow, readonly RealStep[]> = {
  'with-card': ['app-installed', 'portal-opened', 'card-tab', 'card-pin', 'cgu', 'start-activation', 'scan-qr', 'phone-code', 'ecps-password'],
  'without-card': ['app-installed', 'request-email', 'national-id', 'email-qr', 'sms-code', 'ecps-password'],
};

/** Steps during which the portal needs the card in the reader: pulling it there is an alert. */
export const CARD_STEPS: readonly RealStep[] = ['portal-opened', 'card-tab', 'card-pin', 'cgu', 'start-activation', 'scan-qr'];

/** Live re-runs wait for the reader events to settle (pcscd reports a card in a few events). */
export const RERUN_DELAY_MS = 300;

/**
 * The real activation beside the official portal: the companion checks and guides, it never
 * activates anything itself. Readiness re-runs on every reader change while it is shown; the
 * guide watches the CPS and raises an alert when it leaves the reader during a portal step.
 */
export const useRealStore = defineStore('real', () => {
  const stage = ref<RealStage>('start');
  const flow = ref<RealFlow | null>(null);
  const report = ref<ReadinessReportView | null>(null);
  const checking = ref(false);
  const checkError = ref<unknown>(null);
  const portal = ref<PortalInfo | null>(null);
  const stepIndex = ref(0);
  const attemptId = ref<string | null>(null);
  const cardAlert = ref(false);
  const outcome = ref<{ outcome: RealOutcome; problem?: RealProblem } | null>(null);
  /** Bumped on each stage or step change, so the view moves the focus to its heading. */
  const moves = ref(0);

  const steps = computed(() => (flow.value ? FLOW_STEPS[flow.value] : []));
  const step = computed<RealStep | undefined>(() => steps.value[stepIndex.value]);
  const failures = computed(() => report.value?.checks.filter((c) => c.status === 'fail') ?? []);
  const ready = computed(() => report.value !== null && failures.value.length === 0);

  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = false;

  async function loadPortal() {
    if (portal.value) return;
    const { bridge } = useBridge();
    try {
      portal.value = await bridge.portalInfo({});
    } catch {
      // the page still works: the addresses are shown as soon as the companion answers
    }
  }

  async function runCheck() {
    if (checking.value) {
      pending = true;
      return;
    }
    const { bridge } = useBridge();
    checking.value = true;
    try {
      report.value = await bridge.readinessRun({});
      checkError.value = null;
    } catch (e) {
      checkError.value = e;
    } finally {
      checking.value = false;
    }
    if (pending) {
      pending = false;
      await runCheck();
    }
  }

  function scheduleCheck() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void runCheck();
    }, RERUN_DELAY_MS);
  }

  // Live: any reader or card change re-runs the check while it is on screen; in the guide, a
  // CPS leaving the reader during a portal step raises the alert.
  const readers = useReaderStore();
  watch(
    () => readers.snapshot,
    () => {
      if (stage.value === 'ready') scheduleCheck();
      if (stage.value === 'guide' && flow.value === 'with-card' && step.value && CARD_STEPS.includes(step.value) && !readers.cpsReader && readers.loaded) {
        if (!cardAlert.value) {
          cardAlert.value = true;
          void record({ event: 'card-removed', during: step.value });
        }
      }
    },
  );

  async function record(change: { step?: RealStep; event?: 'card-removed' | 'portal-opened'; during?: RealStep }) {
    if (!attemptId.value) return;
    const { bridge } = useBridge();
    try {
      await bridge.attemptUpdate({ attemptId: attemptId.value, ...change });
    } catch {
      // the record is for the technician: never in the user's way
    }
  }

  function move(next: RealStage) {
    stage.value = next;
    moves.value++;
  }

  /** Picks the path: an attempt starts; with the card, the readiness check comes first. */
  async function begin(chosen: RealFlow) {
    flow.value = chosen;
    stepIndex.value = 0;
    cardAlert.value = false;
    outcome.value = null;
    const { bridge } = useBridge();
    try {
      attemptId.value = (await bridge.attemptStart({ flow: chosen })).attemptId;
    } catch {
      attemptId.value = null;
    }
    void loadPortal();
    if (chosen === 'with-card') {
      move('ready');
      await runCheck();
    } else {
      move('guide');
    }
  }

  function toReadiness() {
    move('ready');
    void runCheck();
  }

  function toGuide() {
    move('guide');
  }

  function goToStep(index: number) {
    if (index < 0 || index >= steps.value.length) return;
    stepIndex.value = index;
    cardAlert.value = false;
    moves.value++;
  }

  /** The current step is done: it is recorded as reached, the next one is shown. */
  async function next() {
    const done = step.value;
    if (done) await record({ step: done });
    if (stepIndex.value < steps.value.length - 1) goToStep(stepIndex.value + 1);
  }

  function previous() {
    goToStep(stepIndex.value - 1);
  }

  /** The portal was opened (link or Electron's system browser): recorded, then the next step. */
  async function portalOpened() {
    await record({ event: 'portal-opened', ...(step.value ? { during: step.value } : {}) });
    if (step.value === 'portal-opened') await next();
  }

  async function finish(result: RealOutcome, problem?: RealProblem) {
    if (result === 'activated' && step.value) await record({ step: step.value });
    const { bridge } = useBridge();
    if (attemptId.value) {
      try {
        await bridge.attemptFinish({ attemptId: attemptId.value, outcome: result, ...(problem ? { problem } : {}) });
      } catch {
        // as above
      }
    }
    attemptId.value = null;
    outcome.value = { outcome: result, ...(problem ? { problem } : {}) };
    move('finish');
  }

  function reset() {
    if (timer) clearTimeout(timer);
    stage.value = 'start';
    flow.value = null;
    stepIndex.value = 0;
    cardAlert.value = false;
    outcome.value = null;
    attemptId.value = null;
  }

  function dismissCardAlert() {
    cardAlert.value = false;
  }

  return {
    stage, flow, report, checking, checkError, portal, stepIndex, attemptId, cardAlert, outcome, moves,
    steps, step, failures, ready,
    loadPortal, runCheck, begin, toReadiness, toGuide, goToStep, next, previous, portalOpened, finish, reset, dismissCardAlert,
  };
});
