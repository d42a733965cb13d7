import type { Actor, Principal } from '../domain/principal.js';
import type { Environment } from '../domain/environment.js';

/** Who is making a management change and in which environment. */
export interface ManagementContext {
  actor: Actor;
  /** The caller's environment; null for the operator's CLI, which names it per command. */
  environment: Environment | null;
  /** The calling credential; null for the operator's CLI and the system, which are not limited. */
  principal: Principal | null;
}

/**
 * Told after a credential change commits, so every cache drops it before the
 * change is reported done.
 */
export interface CredentialChangeListener {
  credentialChanged(credentialId: string): void | Promise<void>;
}
