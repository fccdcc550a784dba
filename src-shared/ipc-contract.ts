/**
 * The IPC contract: the ONE list of what the renderer may ask of the main process and what
 * the main process pushes to it (architecture.md §3). Electron main, the preload and the web
 * shell all derive from this file; the renderer imports its types (and, if it wants, the
 * schemas) — never the other way round.
 *
 * Model: electron/fiddle (a typed channel list), VS Code `validatedIpcMain` (every incoming
 * message checked against its channel's schema before any handler runs), Bitwarden (the
 * renderer's bridge type is derived from the list, not written by hand).
 *
 * Pure TypeScript + zod: no Node, no DOM, no Electron.
 *
 * Secrets: `pin.verify` and `activation.choosePassword` carry a secret in their request.
 * No response schema has a field that could echo it, and the transports never log payloads.
 */
import { z } from 'zod';

// ----------------------------------------------------------------------------- shared pieces

export const langSchema = z.enum(['fr', 'en']);
export type IpcLang = z.infer<typeof langSchema>;

export const localizedTextSchema = z.object({ fr: z.string(), en: z.string() });
export type IpcLocalizedText = z.infer<typeof localizedTextSchema>;

/** A failure as the renderer sees it: stable code, the text in both languages, a remedy. */
export const ipcErrorSchema = z.object({
  code: z.string(),
  message: localizedTextSchema,
  remedy: localizedTextSchema.optional(),
  /** Non-secret facts for technicians (reader name, status word…). */
  details: z.record(z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type IpcError = z.infer<typeof ipcErrorSchema>;

/** Transport-level error codes (besides the domain codes of the card, reader, activation…). */
export const TRANSPORT_ERROR_CODES = ['UnknownChannel', 'InvalidPayload', 'InvalidResponse', 'InternalError', 'Busy'] as const;
export type TransportErrorCode = (typeof TRANSPORT_ERROR_CODES)[number];

export const pinCounterSchema = z.object({
  triesLeft: z.number().int().min(0),
  maxTries: z.number().int().min(0),
  blocked: z.boolean(),
});
export type PinCounter = z.infer<typeof pinCounterSchema>;

export const cardTypeSchema = z.enum(['cps3', 'cps3-contactless', 'cps4', 'vitale1', 'vitale2', 'bank', 'unknown']);
export type CardType = z.infer<typeof cardTypeSchema>;

export const cardSummarySchema = z.object({
  type: cardTypeSchema,
  /** Human label in both languages ("CPS3", "Carte Vitale 2"…). */
  label: localizedTextSchema,
  /** The card answered as its ATR says (CPS: application and serial number read). */
  confirmed: z.boolean(),
  isCps: z.boolean(),
  isVitale: z.boolean(),
});
export type CardSummary = z.infer<typeof cardSummarySchema>;

/** Which card a slot is meant for on a dual-slot reader (slot 0 = CPS, slot 1 = Vitale). */
export const slotRoleSchema = z.enum(['cps', 'vitale', 'unknown']);

export const readerViewSchema = z.object({
  name: z.string(),
  slotRole: slotRoleSchema,
  cardPresent: z.boolean(),
  /** Another application holds the card. */
  inUse: z.boolean(),
  /** A card is present but does not answer. */
  mute: z.boolean(),
  /** ATR in upper-case hex, spaced ("3B 7D …"). */
  atr: z.string().optional(),
  card: cardSummarySchema.optional(),
  /** A Vitale card sits where the CPS is expected: "insert your CPS in the other slot". */
  isVitaleInCpsSlot: z.boolean(),
});
export type ReaderView = z.infer<typeof readerViewSchema>;

export const readersSnapshotSchema = z.object({
  /** The readers are the built-in virtual ones (mode démonstration). */
  demo: z.boolean(),
  /** The PC/SC service answers (always true in demo). */
  serviceUp: z.boolean(),
  readers: z.array(readerViewSchema),
});
export type ReadersSnapshot = z.infer<typeof readersSnapshotSchema>;

export const identitySummarySchema = z.object({
  surname: z.string(),
  givenName: z.string(),
  profession: z.string(),
  idNat: z.string(),
  rpps: z.string().optional(),
  generation: z.string(),
  serialNumber: z.string().optional(),
  notAfter: z.string(),
  status: z.string(),
  expiresInDays: z.number().optional(),
});
export type IdentitySummary = z.infer<typeof identitySummarySchema>;

const readerArg = z.string().min(1).max(200).optional();
const empty = z.object({}).strict();

/** The PIN: exactly 4 digits (CPS). Anything else never reaches the card. */
export const pinSchema = z.string().regex(/^[0-9]{4}$/);

/** Where activation requests go: the sandbox authority, or a URL. */
export const authorityViewSchema = z.object({
  kind: z.enum(['sandbox', 'url']),
  /** What the banner shows ("autorité bac à sable" / the URL's host). */
  label: localizedTextSchema,
  url: z.string().optional(),
});

// ----------------------------------------------------------------------------- help and settings

/** The help topics the app knows (resources/help/help.json holds exactly these). */
export const HELP_TOPIC_IDS = ['old-reader', 'phone-connectivity', 'who-to-call', 'no-card', 'lost-card', 'lost-phone', 'epop'] as const;
export const helpTopicIdSchema = z.enum(HELP_TOPIC_IDS);
export type HelpTopicId = z.infer<typeof helpTopicIdSchema>;

/** One help topic in one language: short paragraphs, ordered steps, https links, phone numbers. */
export const helpTopicSchema = z.object({
  id: helpTopicIdSchema,
  title: z.string(),
  paragraphs: z.array(z.string()),
  steps: z.array(z.string()),
  links: z.array(z.object({ label: z.string(), url: z.string() })),
  phones: z.array(z.object({ label: z.string(), number: z.string() })),
});
export type HelpTopicView = z.infer<typeof helpTopicSchema>;

/** 'sandbox' (the in-process sandbox authority) or the authority's base URL. */
export const authoritySettingSchema = z.union([z.literal('sandbox'), z.string().min(8).max(500)]);
/** 'auto' (first non-internal IPv4), 'loopback' (tests), or one of the machine's addresses. */
export const pairingAddressSettingSchema = z.union([z.literal('auto'), z.literal('loopback'), z.string().ip()]);

export const settingsViewSchema = z.object({
  authority: authoritySettingSchema,
  language: langSchema,
  pairingAddress: pairingAddressSettingSchema,
  /** Where the settings are saved (technicians). */
  file: z.string(),
  /** The saved file could not be used (corrupt, unreadable…): defaults are in use. */
  warning: ipcErrorSchema.optional(),
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

// ----------------------------------------------------------------------------- activation

export const activationFlowSchema = z.enum(['with-card', 'without-card']);

/** The driver's UI events (src-main/activation/driver.ts `DriverEvent`), as they cross IPC. */
export const activationEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), step: z.string(), text: z.string() }),
  z.object({ type: z.literal('qr'), payload: z.string(), expiresAt: z.number(), generation: z.number(), phonePageUrl: z.string().max(2048).optional() }),
  z.object({ type: z.literal('contact'), email: z.string().max(200).optional(), mobile: z.string().max(40).optional() }),
  z.object({
    type: z.literal('request-sent'),
    activationId: z.string(),
    sentTo: z.string(),
    payload: z.string(),
    /** When the e-mailed QR stops working (ms since epoch): the companion stops waiting for the phone then. */
    expiresAt: z.number().optional(),
    phonePageUrl: z.string().max(2048).optional(),
  }),
  z.object({ type: z.literal('phone-connected'), via: z.enum(['direct', 'relay']) }),
  z.object({ type: z.literal('code-required'), attemptsLeft: z.number() }),
  z.object({ type: z.literal('sms-sent'), sentTo: z.string() }),
  z.object({ type: z.literal('sms-attempts'), attemptsLeft: z.number().int().min(0).max(9) }),
  z.object({ type: z.literal('password-required') }),
  z.object({ type: z.literal('phone-password') }),
  z.object({ type: z.literal('done'), activationId: z.string(), completedAt: z.string().max(40).optional() }),
  z.object({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    remedy: z.string().optional(),
    step: z.string(),
    resumable: z.boolean(),
  }),
  z.object({ type: z.literal('end'), step: z.string() }),
]);
export type ActivationUiEvent = z.infer<typeof activationEventSchema>;

const activationAck = z.object({ accepted: z.boolean(), step: z.string().optional() });

// ----------------------------------------------------------------------------- real activation (official portal)

/** The real activation's two paths, and the guide's steps in the official order (issue 10 §4). */
export const REAL_FLOWS = ['with-card', 'without-card'] as const;
export const REAL_STEPS = [
  'app-installed',
  // with the card, on the portal
  'portal-opened',
  'card-tab',
  'card-pin',
  'cgu',
  'start-activation',
  'scan-qr',
  'phone-code',
  // without the card, in the app
  'request-email',
  'national-id',
  'email-qr',
  'sms-code',
  // both
  'ecps-password',
] as const;
export const REAL_OUTCOMES = ['activated', 'abandoned', 'problem'] as const;
/** The problems the guide offers (what the user met), never anything typed on the portal. */
export const REAL_PROBLEMS = ['portal-no-card', 'pin-refused', 'qr-expired', 'phone-code-refused', 'no-email', 'no-sms', 'contact-details-wrong', 'other'] as const;
export const READINESS_FIX_ACTIONS = ['nss-register-opensc', 'rerun', 'open-diagnostics', 'open-help'] as const;

const checkStatusSchema = z.enum(['ok', 'warn', 'fail', 'skipped']);

export const readinessCheckSchema = z.object({
  id: z.string(),
  subject: z.string().optional(),
  group: z.enum(['machine', 'card', 'browser']),
  status: checkStatusSchema,
  title: localizedTextSchema,
  explanation: localizedTextSchema,
  remedy: localizedTextSchema.optional(),
  /** A fix-it the interface offers (nss-register-opensc: after the user confirms). */
  action: z.object({ kind: z.enum(READINESS_FIX_ACTIONS), database: z.string().optional() }).optional(),
});
export type ReadinessCheckView = z.infer<typeof readinessCheckSchema>;

export const readinessReportSchema = z.object({
  status: checkStatusSchema,
  demo: z.boolean(),
  platform: z.string(),
  checkedAt: z.string(),
  durationMs: z.number(),
  checks: z.array(readinessCheckSchema),
  /** The CPS the portal will use: holder and national id MASKED, PIN tries read without spending one. */
  card: z
    .object({
      reader: z.string(),
      type: z.string(),
      serialNumber: z.string().optional(),
      holderMasked: z.string().optional(),
      idNatMasked: z.string().optional(),
      expiresInDays: z.number().optional(),
      notAfter: z.string().optional(),
      pinTriesLeft: z.number().optional(),
      pinMaxTries: z.number().optional(),
    })
    .optional(),
});
export type ReadinessReportView = z.infer<typeof readinessReportSchema>;

export const portalInfoSchema = z.object({
  /** The official portal's address (setting; default from esante.gouv.fr's pages). */
  portalUrl: z.string(),
  defaultPortalUrl: z.string(),
  isDefault: z.boolean(),
  appStoreUrl: z.string(),
  googlePlayUrl: z.string(),
  supportPhone: z.string(),
  ecpsSupportPhone: z.string(),
  qrLifetimeSeconds: z.number(),
  epopDelayHours: z.number(),
  /** Electron opens the portal in the system browser itself; the web shell uses a link. */
  opensExternally: z.boolean(),
});
export type PortalInfo = z.infer<typeof portalInfoSchema>;

// ----------------------------------------------------------------------------- the channel list

function channel<Req extends z.ZodTypeAny, Res extends z.ZodTypeAny>(request: Req, response: Res) {
  return { request, response };
}

export const ipcRequests = {
  /** Version, demo or real readers, authority in use, language, which shell runs. */
  'app.info': channel(
    empty,
    z.object({
      name: z.string(),
      version: z.string(),
      demo: z.boolean(),
      authority: authorityViewSchema,
      language: langSchema,
      shell: z.enum(['electron', 'web']),
    }),
  ),
  /** The UI language (also the language of the activation driver's texts). */
  'app.setLanguage': channel(z.object({ language: langSchema }).strict(), z.object({ language: langSchema })),

  /** Readers and what is in them, now. Changes come as `readers.changed` events. */
  'readers.list': channel(empty, readersSnapshotSchema),

  /** Identity summary and PIN counter of the card (no try spent). */
  'card.inspect': channel(
    z.object({ reader: readerArg }).strict(),
    z.object({
      reader: z.string(),
      atr: z.string(),
      card: cardSummarySchema,
      serialNumber: z.string().optional(),
      identity: identitySummarySchema.optional(),
      pin: pinCounterSchema.optional(),
      /** Not a CPS (a Vitale card in the CPS slot…): what to tell the user. */
      outcome: ipcErrorSchema.optional(),
    }),
  ),

  /** The PIN counter, read without spending a try. */
  'pin.status': channel(z.object({ reader: readerArg }).strict(), z.object({ reader: z.string(), pin: pinCounterSchema })),

  /**
   * Checks the PIN once (never retried). With one try left the card is not touched unless
   * `confirmLastTry` is true (`LastTryNeedsConfirmation`). The PIN is never echoed back.
   */
  'pin.verify': channel(
    z.object({ reader: readerArg, pin: pinSchema, confirmLastTry: z.boolean().optional() }).strict(),
    z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), reader: z.string(), pin: pinCounterSchema }),
      z.object({ ok: z.literal(false), reader: z.string().optional(), pin: pinCounterSchema.optional(), error: ipcErrorSchema }),
    ]),
  ),

  /** The CGU text (markdown) and its version, in the asked language (default: the app's). */
  'cgu.get': channel(
    z.object({ language: langSchema.optional() }).strict(),
    z.object({ language: langSchema, version: z.string(), text: z.string(), sandbox: z.boolean() }),
  ),
  /** The user accepted this CGU version (after reading it to the end). */
  'cgu.accept': channel(
    z.object({ version: z.string().min(1).max(50) }).strict(),
    z.object({ accepted: z.boolean(), version: z.string(), acceptedAt: z.string() }),
  ),

  /**
   * Starts an activation. With the card: the PIN is verified through `pin.verify` (the running
   * activation is told of the result), then the CGU through `cgu.accept`. UI events arrive as
   * `activation.event`.
   */
  'activation.start': channel(
    z.object({ flow: activationFlowSchema, reader: readerArg }).strict(),
    z.object({ sessionId: z.string(), flow: activationFlowSchema, authority: authorityViewSchema }),
  ),
  /** The code the phone shows, typed on the computer. */
  'activation.submitCode': channel(z.object({ code: z.string().trim().regex(/^[0-9A-Za-z-]{4,12}$/) }).strict(), activationAck),
  /** The e-CPS password (4 digits), typed twice. Never echoed back. */
  'activation.choosePassword': channel(
    z.object({ first: z.string().regex(/^[0-9]{4}$/), second: z.string().regex(/^[0-9]{4}$/) }).strict(),
    activationAck,
  ),
  /** Without the card: the national identifier (RPPS/ADELI) typed by the user. */
  'activation.enterNationalId': channel(z.object({ value: z.string().trim().min(1).max(30) }).strict(), activationAck),
  /** Without the card: the user confirmed the request was sent (e-POP checked…). */
  'activation.confirmRequest': channel(empty, activationAck),
  /** Try the failed step again (resumable errors). */
  'activation.retry': channel(empty, activationAck),
  /** Without the card: « Renvoyer l’e-mail » (a new request and QR) or « Renvoyer le SMS » (a new code). */
  'activation.resend': channel(z.object({ what: z.enum(['email', 'sms']) }).strict(), activationAck),
  'activation.cancel': channel(empty, z.object({ cancelled: z.boolean() })),
  /**
   * Sandbox authority only (training, demos, tests): the e-mails and SMS it "sent" for one
   * activation — the e-mailed QR and the SMS code a trainee would otherwise receive.
   * `available: false` with a real authority (nothing is ever read from a real one).
   */
  'activation.outbox': channel(
    z.object({ activationId: z.string().min(1).max(100) }).strict(),
    z.object({
      available: z.boolean(),
      messages: z.array(
        z.object({
          id: z.string(),
          channel: z.enum(['email', 'sms']),
          to: z.string(),
          sentAt: z.string(),
          subject: z.string().optional(),
          body: z.string(),
          qrPayload: z.string().optional(),
          code: z.string().optional(),
        }),
      ),
    }),
  ),

  /** Technician diagnostics: the summary to paste in a ticket and each check. Personal data masked. */
  'diagnostics.run': channel(
    z.object({ reader: readerArg }).strict(),
    z.object({
      status: z.enum(['ok', 'warn', 'fail', 'skipped']),
      demo: z.boolean(),
      summary: z.string(),
      /** The self-contained printable report (`ecps diagnose --html`), for « Enregistrer le rapport ». */
      html: z.string().max(2_000_000).optional(),
      checks: z.array(
        z.object({
          id: z.string(),
          subject: z.string().optional(),
          status: z.enum(['ok', 'warn', 'fail', 'skipped']),
          title: localizedTextSchema,
          explanation: localizedTextSchema,
          remedy: localizedTextSchema.optional(),
        }),
      ),
    }),
  ),

  // --------------------------------------------------------------------------- real activation

  /** "Prêt pour l'activation ?": machine, card (no PIN try spent) and browser checks. */
  'readiness.run': channel(z.object({ reader: readerArg }).strict(), readinessReportSchema),
  /** A fix-it action the user confirmed on screen (only `nss-register-opensc` runs here). */
  'readiness.fix': channel(
    z.object({ action: z.literal('nss-register-opensc'), database: z.string().min(1).max(1000), confirmed: z.literal(true) }).strict(),
    z.object({ ok: z.boolean(), message: localizedTextSchema, commands: z.array(z.string()) }),
  ),
  /** The official addresses: portal (a setting), app stores, support numbers. */
  'portal.info': channel(empty, portalInfoSchema),
  /** Changes the portal address (https, esante.gouv.fr only) or goes back to the default. */
  'portal.setUrl': channel(z.object({ url: z.union([z.literal('default'), z.string().min(8).max(500)]) }).strict(), portalInfoSchema),
  /**
   * Electron: opens the portal (the setting's address, never one from the renderer) in the
   * system browser. The web shell answers `opened: false`: its page opens the link itself.
   */
  'portal.open': channel(empty, z.object({ opened: z.boolean(), url: z.string() })),
  /** A real attempt starts (the technician's record: masked card, failed checks, steps). */
  'attempt.start': channel(z.object({ flow: z.enum(REAL_FLOWS) }).strict(), z.object({ attemptId: z.string() })),
  /** A guide step reached, or an event seen during it. Nothing typed on the portal crosses here. */
  'attempt.update': channel(
    z
      .object({
        attemptId: z.string().min(1).max(100),
        step: z.enum(REAL_STEPS).optional(),
        event: z.enum(['card-removed', 'portal-opened']).optional(),
        /** The step on screen when the event happened. */
        during: z.enum(REAL_STEPS).optional(),
      })
      .strict(),
    z.object({ recorded: z.boolean() }),
  ),
  'attempt.finish': channel(
    z.object({ attemptId: z.string().min(1).max(100), outcome: z.enum(REAL_OUTCOMES), problem: z.enum(REAL_PROBLEMS).optional() }).strict(),
    z.object({ recorded: z.boolean() }),
  ),

  // --------------------------------------------------------------------------- help, settings

  /** The help topics (resources/help/help.json) in the asked language (default: the app's). */
  'help.get': channel(z.object({ language: langSchema.optional() }).strict(), z.object({ language: langSchema, topics: z.array(helpTopicSchema) })),
  /** The persisted settings (authority, language, pairing address) and where they live. */
  'settings.get': channel(empty, settingsViewSchema),
  /**
   * Changes some settings, saved at once. A new authority is used from the NEXT activation
   * (a running one keeps its own). A refused value answers an error and changes nothing.
   */
  'settings.set': channel(
    z
      .object({ authority: authoritySettingSchema.optional(), language: langSchema.optional(), pairingAddress: pairingAddressSettingSchema.optional() })
      .strict(),
    settingsViewSchema,
  ),
  /** The machine's non-internal network addresses the pairing server may listen on. */
  'network.interfaces': channel(
    empty,
    z.object({
      interfaces: z.array(z.object({ name: z.string(), address: z.string(), family: z.enum(['IPv4', 'IPv6']) })),
      /** What "automatique" resolves to now (the first non-internal IPv4, else loopback). */
      automatic: z.string(),
      loopback: z.string(),
    }),
  ),
} as const;

export const ipcEvents = {
  /** The readers or their cards changed (insert, remove, reader plugged, service down/up). */
  'readers.changed': readersSnapshotSchema.extend({
    change: z
      .object({
        type: z.enum(['reader-added', 'reader-removed', 'card-inserted', 'card-removed', 'service-down', 'service-up', 'refresh']),
        reader: z.string().optional(),
      })
      .optional(),
  }),
  /** The running activation's UI events. */
  'activation.event': z.object({ sessionId: z.string(), event: activationEventSchema }),
} as const;

// ----------------------------------------------------------------------------- derived types

export type RequestChannel = keyof typeof ipcRequests;
export type EventChannel = keyof typeof ipcEvents;

/** What the renderer passes (before defaults/transforms). */
export type RequestOf<C extends RequestChannel> = z.input<(typeof ipcRequests)[C]['request']>;
/** What a handler receives (after validation). */
export type ValidRequestOf<C extends RequestChannel> = z.output<(typeof ipcRequests)[C]['request']>;
export type ResponseOf<C extends RequestChannel> = z.output<(typeof ipcRequests)[C]['response']>;
export type EventOf<E extends EventChannel> = z.output<(typeof ipcEvents)[E]>;

export const REQUEST_CHANNELS = Object.keys(ipcRequests) as RequestChannel[];
export const EVENT_CHANNELS = Object.keys(ipcEvents) as EventChannel[];

export function isRequestChannel(value: unknown): value is RequestChannel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ipcRequests, value);
}
export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ipcEvents, value);
}

/** `readers.list` → `readersList`, `activation.submitCode` → `activationSubmitCode`. */
export type FunctionNameOf<S extends string> = S extends `${infer Head}.${infer Tail}` ? `${Head}${Capitalize<FunctionNameOf<Tail>>}` : S;

export function functionNameOf<C extends RequestChannel>(channelName: C): FunctionNameOf<C> {
  return channelName.replace(/\.([a-z])/g, (_m, c: string) => c.toUpperCase()) as FunctionNameOf<C>;
}

/** A failed request, as the bridge rejects it (`instanceof`-free: check `code`). */
export interface BridgeError extends IpcError {
  channel: RequestChannel | string;
}

export type Unsubscribe = () => void;

/**
 * What the renderer gets (Electron preload or the web shell's `useBridge`): one named
 * function per request channel, plus `invoke` by name and `on` for events. Derived from the
 * channel list, so adding a channel adds it here.
 */
export type BridgeApi = {
  [C in RequestChannel as FunctionNameOf<C>]: (payload: RequestOf<C>) => Promise<ResponseOf<C>>;
} & {
  invoke<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): Unsubscribe;
};

// ----------------------------------------------------------------------------- web shell wire format

/** Web shell websocket path (same origin as the page). */
export const WEB_SHELL_WS_PATH = '/ipc';
/** The token travels in the page URL's fragment: `http://127.0.0.1:PORT/#token=HEX`. */
export const WEB_SHELL_TOKEN_PARAM = 'token';
/** A 256-bit token, hex. */
export const webShellTokenSchema = z.string().regex(/^[0-9a-f]{64}$/);

/** First frame the client sends; nothing else is accepted before it. */
export const wireAuthSchema = z.object({ type: z.literal('auth'), token: z.string().max(128) }).strict();
export const wireAuthOkSchema = z.object({ type: z.literal('auth-ok') });

export const wireRequestSchema = z
  .object({ id: z.number().int().nonnegative().or(z.string().max(64)), channel: z.string().max(100), payload: z.unknown() })
  .strict();
export type WireRequest = z.infer<typeof wireRequestSchema>;

export type WireResponse =
  | { id: number | string; ok: true; result: unknown }
  | { id: number | string | null; ok: false; error: IpcError };

export type WireEvent = { [E in EventChannel]: { event: E; payload: EventOf<E> } }[EventChannel];

/** Close codes the web shell uses (4000–4999 are application codes). */
export const WIRE_CLOSE = {
  /** Missing/wrong token, or a frame before auth. */
  unauthorized: 4401,
  /** Not JSON, not a request, binary frame. */
  badFrame: 4400,
  /** No auth frame in time (or evicted, still unauthenticated, by newer sockets). */
  authTimeout: 4408,
  /** Authenticated, but the shell already serves its maximum of pages. */
  tooManyClients: 4429,
} as const;
