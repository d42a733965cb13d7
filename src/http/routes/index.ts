import type { App, RouteDeps } from '../route-deps.js';
import { registerCreateAccount } from './v1-accounts-create.js';
import { registerGetAccount } from './v1-accounts-get.js';
import { registerListAccounts } from './v1-accounts-list.js';
import { registerOpenLive } from './v1-accounts-open-live.js';
import { registerUpdateAccount } from './v1-accounts-update.js';
import { registerListAuditEvents } from './v1-audit-events-list.js';
import { registerCreateKey } from './v1-keys-create.js';
import { registerDeleteKey } from './v1-keys-delete.js';
import { registerGetKey } from './v1-keys-get.js';
import { registerListKeys } from './v1-keys-list.js';
import { registerRollKey } from './v1-keys-roll.js';
import { registerUpdateKey } from './v1-keys-update.js';
import { registerVerifyKey } from './v1-keys-verify.js';
import { registerListOperations } from './v1-operations-list.js';
import { registerOperationalRoutes } from './operational.js';

export function registerRoutes(app: App, deps: RouteDeps): void {
  registerOperationalRoutes(app, deps);
  registerListOperations(app);
  registerCreateAccount(app, deps);
  registerListAccounts(app, deps);
  registerGetAccount(app, deps);
  registerUpdateAccount(app, deps);
  registerOpenLive(app, deps);
  registerCreateKey(app, deps);
  registerListKeys(app, deps);
  registerGetKey(app, deps);
  registerUpdateKey(app, deps);
  registerRollKey(app, deps);
  registerDeleteKey(app, deps);
  registerListAuditEvents(app, deps);
  registerVerifyKey(app, deps);
}
