// The messages between the environment details webview and the extension, defined once and validated on
// both sides. The webview is the less trusted side: what it sends names no environment, command id or
// free text — only a verb from a closed list and a port number — so a hostile page can ask for nothing
// the panel's own buttons could not.
import { z } from 'zod';
import { Environment } from './environment';
import { ResourceName } from './meta';
import { StatsSample } from './protocol';

/** The webview panel type; `package.json` activates on `onWebviewPanel:devrig.details`. */
export const DETAILS_VIEW_TYPE = 'devrig.details';

/** How much resource-use history the details panel keeps (extension) and charts (page). */
export const STATS_WINDOW_MS = 5 * 60_000;

/** The panel's buttons; the extension maps each to the same command the tree runs. */
export const PanelCommand = z.enum([
  'start',
  'retry',
  'stop',
  'restart',
  'rebuild',
  'openInRemoteSsh',
  'openTerminal',
  'copySshCommand',
  'showLogs',
]);
export type PanelCommand = z.infer<typeof PanelCommand>;

export const RunnerLinkState = z.enum(['connected', 'connecting', 'disconnected']);
export type RunnerLinkState = z.infer<typeof RunnerLinkState>;

export const RunnerLink = z.object({ state: RunnerLinkState, message: z.string().optional() });
export type RunnerLink = z.infer<typeof RunnerLink>;

// Extension → webview.
export const HostMessage = z.discriminatedUnion('type', [
  /** Everything the page shows, sent in answer to `ready` (a page is rebuilt whenever it is shown). */
  z.object({
    type: z.literal('snapshot'),
    name: ResourceName,
    /** `null` while unknown or after deletion. */
    environment: Environment.nullable(),
    sshCommand: z.string(),
    runner: RunnerLink,
    log: z.string(),
    stats: z.array(StatsSample),
  }),
  z.object({ type: z.literal('environment'), environment: Environment.nullable() }),
  z.object({ type: z.literal('runner'), runner: RunnerLink }),
  /** Log text as it arrives; `reset` replaces what the page has (a re-follow after a reconnect). */
  z.object({ type: z.literal('log'), data: z.string(), reset: z.boolean() }),
  z.object({ type: z.literal('stats'), sample: StatsSample }),
]);
export type HostMessage = z.infer<typeof HostMessage>;

// Webview → extension. Strict objects: an unknown field is as suspect as an unknown type.
export const ViewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  z.object({ type: z.literal('command'), command: PanelCommand }).strict(),
  z
    .object({
      type: z.literal('port'),
      action: z.enum(['open', 'copy']),
      port: z.number().int().min(1).max(65535),
    })
    .strict(),
]);
export type ViewMessage = z.infer<typeof ViewMessage>;

export const DetailsTab = z.enum(['conditions', 'ports', 'history', 'log']);
export type DetailsTab = z.infer<typeof DetailsTab>;

/**
 * What the page keeps through `setState` and the serializer hands back after a window reload. It comes
 * from the webview, so the extension trusts only `name`, and only after this schema accepted it.
 */
export const DetailsPanelState = z.object({
  name: ResourceName,
  tab: DetailsTab.default('conditions'),
  follow: z.boolean().default(true),
  search: z.string().max(200).default(''),
});
export type DetailsPanelState = z.infer<typeof DetailsPanelState>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodType<T>, raw: unknown): ParseResult<T> {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const first = r.error.issues[0];
  const where = first?.path.length ? `${first.path.join('.')}: ` : '';
  return { ok: false, error: `${where}${first?.message ?? 'invalid message'}` };
}

export const parseViewMessage = (raw: unknown): ParseResult<ViewMessage> => parseWith(ViewMessage, raw);
export const parseHostMessage = (raw: unknown): ParseResult<HostMessage> => parseWith(HostMessage, raw);
export const parseDetailsPanelState = (raw: unknown): ParseResult<DetailsPanelState> =>
  parseWith(DetailsPanelState, raw);
