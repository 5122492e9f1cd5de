import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replicas start together and each runs pending migrations: the advisory lock makes the
 * others wait for the first, and `IF NOT EXISTS` lets them find its work done.
 * `COLLATE "C"` orders service names by code point, as SQLite does, whatever the cluster's
 * locale, so pages of the policy list come out the same on both backends.
 */
export class CreatePoliciesPostgres1767225600000 implements MigrationInterface {
  name = 'CreatePoliciesPostgres1767225600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(hashtext('samplane.policies.migrations'))`);
    await runner.query(`
      CREATE TABLE IF NOT EXISTS policies (
        service varchar(256) COLLATE "C" PRIMARY KEY,
        document text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE IF NOT EXISTS policy_audit (
        id serial PRIMARY KEY,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        action varchar(16) NOT NULL CHECK (action IN ('create', 'replace', 'delete')),
        service varchar(256) COLLATE "C" NOT NULL,
        version integer NOT NULL,
        before text,
        after text
      )`);
    await runner.query(`CREATE INDEX IF NOT EXISTS policy_audit_service ON policy_audit (service, id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS policy_audit`);
    await runner.query(`DROP TABLE IF EXISTS policies`);
  }
}
