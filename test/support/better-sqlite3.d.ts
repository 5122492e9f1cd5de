/**
 * The slice of `better-sqlite3` 12 (no published types in this project) that end-to-end tests
 * use to look at a policy database from outside Samplane.
 */
declare module 'better-sqlite3' {
  interface Statement {
    all(...params: unknown[]): unknown[];
    get(...params: unknown[]): unknown;
  }

  class Database {
    constructor(filename: string, options?: { readonly?: boolean; fileMustExist?: boolean });
    prepare(sql: string): Statement;
    close(): void;
  }

  export default Database;
}
