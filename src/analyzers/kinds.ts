import type { ArgusEvent } from '../events/event.js';
import type { AlertSpec, AnyAnalyzer, EventKindSpec } from './analyzer.js';

/** Boxes of a kind no analyzer declares (an event from an older version, say). */
const OTHER_COLOUR = '#aaaaaa';

/**
 * The event kinds of a list of analyzers, as the outputs ask about them: which kinds exist,
 * their HA entities, their Telegram alert kinds and which are urgent. Built once in main.ts
 * from the list and handed to each output, so no output names a kind.
 */
export class EventKinds {
  readonly specs: readonly EventKindSpec[];
  private readonly byKind: Map<string, EventKindSpec>;

  private readonly analyzers: readonly AnyAnalyzer[];

  /** `configs`: the `analyzers:` options, for the entities an analyzer's options add (`entitiesFor`). */
  constructor(analyzers: readonly AnyAnalyzer[], configs: Readonly<Record<string, unknown>> = {}) {
    this.analyzers = analyzers;
    this.specs = analyzers.flatMap((a) => {
      const added = a.entitiesFor?.(a.config.parse(configs[a.name] ?? {})) ?? {};
      return a.kinds.map((k) => (added[k.kind]?.length ? { ...k, entities: [...k.entities, ...added[k.kind]] } : k));
    });
    this.byKind = new Map(this.specs.map((s) => [s.kind, s]));
    if (this.byKind.size !== this.specs.length) throw new Error('two analyzers declare the same event kind');
  }

  /** Every kind, in list order (the API's `?kind=` and the UI's filter). */
  get names(): string[] {
    return this.specs.map((s) => s.kind);
  }

  /** Every Telegram alert kind a chat can subscribe to. */
  get alertNames(): string[] {
    return this.specs.flatMap((s) => s.alerts.map((a) => a.name));
  }

  /** The kinds the named analyzers raise (a camera's enabled ones: HA gets only their entities). */
  raisedBy(analyzerNames: readonly string[]): string[] {
    return this.analyzers.filter((a) => analyzerNames.includes(a.name)).flatMap((a) => a.kinds.map((k) => k.kind));
  }

  spec(kind: string): EventKindSpec | undefined {
    return this.byKind.get(kind);
  }

  colour(kind: string): string {
    return this.byKind.get(kind)?.colour ?? OTHER_COLOUR;
  }

  /** Urgent events (their kind's, or their alert kind's: a fall) skip quiet hours, the HA alert gate and batching. */
  urgent(event: ArgusEvent): boolean {
    return (this.byKind.get(event.kind)?.urgent || this.alertOf(event)?.urgent) ?? false;
  }

  /** The alert kind an event is, for chat routing (faces: known or unknown); undefined for a kind no analyzer offers. */
  alertOf(event: ArgusEvent): AlertSpec | undefined {
    return this.byKind.get(event.kind)?.alerts.find((a) => !a.matches || a.matches(event));
  }
}
