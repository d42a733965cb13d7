import type { Kysely } from 'kysely';
import type { Environment } from '../domain/environment.js';
import type { Database } from './schema.js';

export type UsageOutcome = 'ok' | '401' | '403' | '429';

export interface UsageCount {
  credentialId: string;
  /** Start of the hour, epoch ms. */
  hour: number;
  outcome: UsageOutcome;
  count: number;
}

export class CredentialUsageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds counts to their hour rows, creating them as needed: one statement per row, in the caller's transaction. */
  async add(counts: readonly UsageCount[]): Promise<void> {
    if (counts.length === 0) return;
    const ids = [...new Set(counts.map((c) => c.credentialId))];
    const environments = new Map<string, Environment>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db.selectFrom('credentials').select(['id', 'environment']).where('id', 'in', ids.slice(i, i + 500)).execute();
      for (const row of rows) environments.set(row.id, row.environment);
    }
    for (const c of counts) {
      const environment = environments.get(c.credentialId);
      if (environment === undefined) continue; // not a stored credential: nothing to attribute the count to
      await this.db
        .insertInto('credential_usage')
        .values({ credential_id: c.credentialId, environment, hour: c.hour, outcome: c.outcome, count: c.count })
        .onConflict((oc) => oc.columns(['credential_id', 'hour', 'outcome']).doUpdateSet((eb) => ({ count: eb('credential_usage.count', '+', eb.ref('excluded.count')) })))
        .execute();
    }
  }

  async list(credentialId: string, environment: Environment, fromHour: number): Promise<UsageCount[]> {
    const rows = await this.db
      .selectFrom('credential_usage')
      .select(['hour', 'outcome', 'count'])
      .where('credential_id', '=', credentialId)
      .where('environment', '=', environment)
      .where('hour', '>=', fromHour)
      .orderBy('hour')
      .execute();
    return rows.map((r) => ({ credentialId, hour: Number(r.hour), outcome: r.outcome, count: Number(r.count) }));
  }

  async pruneBefore(hour: number): Promise<void> {
    await this.db.deleteFrom('credential_usage').where('hour', '<', hour).execute();
  }
}
