import { execFileSync } from "node:child_process";

/**
 * Reads the server's SQLite file directly (python3's sqlite3 module, read-only), so tests
 * compare what pages show with what the database holds rather than with the server's API.
 */
export function query<T = unknown[]>(sql: string, ...params: (string | number)[]): T[] {
  const db = process.env.STRATA_E2E_DB;
  if (!db) throw new Error("STRATA_E2E_DB is not set: run the browser tests through .ci/e2e");
  const script = `
import json, sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(json.dumps(c.execute(sys.argv[2], json.loads(sys.argv[3])).fetchall()))`;
  const out = execFileSync("python3", ["-c", script, db, sql, JSON.stringify(params)], {
    encoding: "utf8",
  });
  return JSON.parse(out) as T[];
}

export function scalar(sql: string, ...params: (string | number)[]): number {
  const rows = query<[number]>(sql, ...params);
  return rows[0][0];
}

const DAY_MS = 86_400_000;

/** First millisecond of the "last N days" window (whole UTC days, today included). */
export function windowStart(days: number, now = Date.now()): number {
  return (Math.floor(now / DAY_MS) - days + 1) * DAY_MS;
}

/** The dashboard's duration format (app/src/components/format.rs `duration_ms`). */
export function durationText(ms: number): string {
  ms = Math.max(0, ms);
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${pad(Math.floor(ms / 1000) % 60)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${pad(Math.floor(ms / 60_000) % 60)} min`;
}
