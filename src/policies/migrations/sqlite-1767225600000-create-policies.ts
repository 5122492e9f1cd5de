import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The same schema as on PostgreSQL, in SQLite's types (timestamps as UTC text). */
export class CreatePoliciesSqlite1767225600000 implements MigrationInterface {
  name = 'CreatePoliciesSqlite1767225600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS policies (
        service varchar(256) PRIMARY KEY NOT NULL,
        document text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        updated_at datetime NOT NULL,
        updated_by text NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE IF NOT EXISTS policy_audit (
        id integer PRIMARY KEY AUTOINCREMENT NOT NULL,
        at datetime NOT NULL,
        actor text NOT NULL,
        action varchar(16) NOT NULL CHECK (action IN ('create', 'replace', 'delete')),
        service varchar(256) NOT NULL,
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
