import type { AlertGateConfig } from './config.js';

export type ActiveGateConfig = AlertGateConfig & { entity: string };

/** A gate only exists when an entity is named (the add-on's options always carry the section). */
export function activeGate(config: AlertGateConfig | undefined): ActiveGateConfig | undefined {
  return config?.entity ? (config as ActiveGateConfig) : undefined;
}

/**
 * Decides whether alerts may go out now from one HA entity's live state, e.g. only while
 * `alarm_control_panel.home` is `armed_away`, or only while `group.family` is `not_home`.
 */
export class AlertGate {
  private state: string | null = null;

  constructor(private readonly config: ActiveGateConfig) {}

  get entity(): string {
    return this.config.entity;
  }

  /** The entity's current state, or null when unknown (HA unreachable, entity missing). */
  update(state: string | null): void {
    this.state = state;
  }

  allows(): boolean {
    if (this.state === null || this.state === 'unavailable' || this.state === 'unknown') return this.config.when_unknown === 'allow';
    return this.config.states.includes(this.state);
  }

  describe(): string {
    return `${this.config.entity} is ${this.state ?? 'unknown'}; alerts ${this.allows() ? 'allowed' : 'held back'}`;
  }
}
