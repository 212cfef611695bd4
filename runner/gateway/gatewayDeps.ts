import type { Environment } from '../api';
import type { SessionTarget } from '../reconcile/environment/sessions';
import type { ResourceStore } from '../store/resourceStore';

/** What the SSH gateway needs from the runner. */
export interface GatewayDeps {
  store: ResourceStore;
  sessionTarget(env: Environment): Promise<SessionTarget | undefined>;
  notifyActivity(name: string): void;
  /** Runs postAttachCommand (a person attached with an interactive shell). */
  attach?(name: string): Promise<void>;
  log(msg: string): void;
}
