import { readFileSync } from "node:fs";
import { test, expect, type Page } from "@playwright/test";
import { watchConsole, waitForHydration } from "./helpers";
import { query, scalar, windowStart, durationText } from "./db";

// .ci/e2e loads `strata demo --load-only` data into the database this server reads.

async function shoot(page: Page, name: string) {
  // Full-page screenshots at the viewport of the running project (1280 or 390 px wide).
  await page.screenshot({
    path: test.info().outputPath(`${name}-${page.viewportSize()?.width}.png`),
    fullPage: true,
  });
}

function pipelinesSince(projectId: number, days: number, status?: string): number {
  const since = windowStart(days);
  return status
    ? scalar("SELECT COUNT(*) FROM pipelines WHERE project_id = ? AND created_at_ms >= ? AND status = ?", projectId, since, status)
    : scalar("SELECT COUNT(*) FROM pipelines WHERE project_id = ? AND created_at_ms >= ?", projectId, since);
}

test("overview → project → job name → pipeline → job, each number as stored", async ({ page }) => {
  const consoleWatch = watchConsole(page);
  await page.goto("/");
  await waitForHydration(page);
  await shoot(page, "overview");

  // Every project is listed with the pipelines it ran in the last 30 days.
  const projects = query<[number, string]>("SELECT id, path FROM projects ORDER BY id");
  expect(projects.length).toBe(5);
  for (const [id, path] of projects) {
    const row = page.locator(`tr[data-project-id="${id}"]`);
    await expect(row.locator(".project-path")).toHaveText(path);
    await expect(row.getByTestId("pipelines")).toHaveText(String(pipelinesSince(id, 30)));
  }

  // Project: the pipeline tile and the job-name table's run counts.
  await page.locator('tr[data-project-id="101"] .project-path').click();
  await expect(page).toHaveURL(/\/projects\/101/);
  await expect(page.getByTestId("project-path")).toHaveText("demo/cache-as-transport");
  await expect(page.getByTestId("tile-pipelines")).toHaveText(String(pipelinesSince(101, 30)));
  await expect(page.locator("figure svg").first()).toBeVisible();
  await shoot(page, "project");

  const [[jobName, runs]] = query<[string, number]>(
    `SELECT j.name, COUNT(*) FROM jobs j WHERE j.project_id = 101 AND COALESCE(j.created_at_ms, 0) >= ?
     GROUP BY j.name ORDER BY COUNT(*) DESC, j.name LIMIT 1`,
    windowStart(30),
  );
  await page.getByTestId("job-names").getByRole("link", { name: jobName, exact: true }).click();
  await expect(page.getByTestId("job-name")).toHaveText(jobName);
  await expect(page.getByTestId("tile-runs")).toHaveText(String(runs));
  await shoot(page, "job-name");

  // Job name → one of its pipelines → a job in it.
  const firstRun = page.getByTestId("runs").locator("tbody tr").first();
  const pipelineId = await firstRun.getByTestId("pipeline-link").textContent();
  await firstRun.getByTestId("pipeline-link").click();
  await expect(page).toHaveURL(new RegExp(`/pipelines/${pipelineId}$`));
  const jobsInPipeline = scalar("SELECT COUNT(*) FROM jobs WHERE pipeline_id = ?", Number(pipelineId));
  await expect(page.getByTestId("runs").locator("tbody tr")).toHaveCount(jobsInPipeline);
  await expect(page.locator("figure svg").first()).toBeVisible();
  await shoot(page, "pipeline");

  const [[jobId, name, durationMs]] = query<[number, string, number]>(
    "SELECT id, name, duration_ms FROM jobs WHERE pipeline_id = ? AND duration_ms IS NOT NULL ORDER BY id LIMIT 1",
    Number(pipelineId),
  );
  await page.locator(`tr[data-job-id="${jobId}"] th a`).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${jobId}$`));
  await expect(page.getByTestId("job-title")).toContainText(name);
  await expect(page.getByTestId("tile-duration")).toHaveText(durationText(durationMs));
  const phases = scalar("SELECT COUNT(*) FROM job_phases WHERE job_id = ?", jobId);
  expect(phases).toBeGreaterThan(0);
  await expect(page.getByTestId("phases").locator("tbody tr")).toHaveCount(phases);
  await shoot(page, "job");
  consoleWatch.assertNone();
});

test("filters change the URL and the numbers; back and forward restore them", async ({ page }) => {
  const consoleWatch = watchConsole(page);
  await page.goto("/projects/102");
  await waitForHydration(page);
  const tile = page.getByTestId("tile-pipelines");
  await expect(tile).toHaveText(String(pipelinesSince(102, 30)));

  await page.getByRole("link", { name: "7 days", exact: true }).click();
  await expect(page).toHaveURL(/\/projects\/102\?period=7d$/);
  await expect(tile).toHaveText(String(pipelinesSince(102, 7)));

  await page.getByRole("link", { name: "90 days", exact: true }).click();
  await expect(page).toHaveURL(/period=90d/);
  await expect(tile).toHaveText(String(pipelinesSince(102, 90)));

  await page.goBack();
  await expect(page).toHaveURL(/period=7d$/);
  await expect(tile).toHaveText(String(pipelinesSince(102, 7)));
  await page.goBack();
  await expect(tile).toHaveText(String(pipelinesSince(102, 30)));
  await page.goForward();
  await expect(tile).toHaveText(String(pipelinesSince(102, 7)));

  // A shared link with a status filter opens on the same numbers.
  await page.goto("/projects/102?period=90d&status=success");
  await expect(tile).toHaveText(String(pipelinesSince(102, 90, "success")));
  consoleWatch.assertNone();
});

test("the filter form goes to the canonical URL and refuses dates in the wrong order", async ({ page }) => {
  const consoleWatch = watchConsole(page);
  await page.goto("/projects/102?period=90d");
  await waitForHydration(page);
  const tile = page.getByTestId("tile-pipelines");

  // Only what was chosen reaches the URL: no empty from/to/ref/source parameters.
  await page.getByTestId("status-filter").selectOption("success");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/projects\/102\?period=90d&status=success$/);
  await expect(tile).toHaveText(String(pipelinesSince(102, 90, "success")));

  // Dates in the wrong order: the island explains, and the page stays where it was.
  await waitForHydration(page);
  await page.getByLabel("From", { exact: true }).fill("2026-10-15");
  await page.getByLabel("To", { exact: true }).fill("2026-10-01");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("filter-problem")).toHaveText("invalid `from`: must not be after `to`");
  await expect(page).toHaveURL(/\?period=90d&status=success$/);

  // In order, the typed days replace the preset period.
  await page.getByLabel("From", { exact: true }).fill("2026-10-01");
  await page.getByLabel("To", { exact: true }).fill("2026-10-15");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/projects\/102\?from=2026-10-01&to=2026-10-15&status=success$/);
  await expect(page.getByTestId("period-label")).toHaveText("2026-10-01 to 2026-10-15");
  consoleWatch.assertNone();
});

test("hostile job names and branches show as text and run nothing", async ({ page }) => {
  // .ci/e2e renamed one job and its pipeline's branch before starting the server.
  const hostileJob = "</title><script>alert(1)</script>";
  const hostileRef = '"><svg onload=alert(2)>';
  const [[jobId, pipelineId]] = query<[number, number]>(
    "SELECT id, pipeline_id FROM jobs WHERE name = ?",
    hostileJob,
  );
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const consoleWatch = watchConsole(page);

  await page.goto(`/jobs/${jobId}`);
  await waitForHydration(page);
  await expect(page.getByTestId("job-title")).toContainText(hostileJob);
  await page.goto(`/pipelines/${pipelineId}`);
  await waitForHydration(page);
  await expect(page.getByTestId("runs").getByText(hostileJob)).toBeVisible();
  await expect(page.getByText(hostileRef).first()).toBeVisible();
  expect(await page.locator("svg[onload]").count()).toBe(0);
  expect(dialogs).toEqual([]);
  consoleWatch.assertNone();
});

/** RFC 4180 rows (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field.replace(/\r$/, ""));
      rows.push(row);
      row = [];
      field = "";
    } else {
      field += c;
    }
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

test("the Impact section's CSV download holds the numbers its table shows", async ({ page }) => {
  const consoleWatch = watchConsole(page);
  await page.goto("/projects/101?period=90d");
  await waitForHydration(page);
  const phases = page.getByTestId("impact-phases");
  await expect(phases.locator("tbody tr").first()).toBeVisible();

  const link = page.getByTestId("impact-csv");
  await expect(link).toHaveAttribute("href", /\/export\/impact\.csv\?.*period=90d/);
  await expect(link).toHaveAttribute("href", /project=101/);
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^strata-impact-demo_cache-as-transport-.*\.csv$/);
  const text = readFileSync(await download.path(), "utf8");
  const [header, ...rows] = parseCsv(text);
  const col = (name: string) => header.indexOf(name);
  expect(col("example_job_ids")).toBeGreaterThan(0);
  expect(rows.every((r) => r[col("project_id")] === "101")).toBe(true);

  // Each phase row of the table: the same job count and share as the file's phase rows.
  const shown = await phases.locator("tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector("th")!.textContent!, ...[...tr.querySelectorAll("td")].map((td) => td.textContent!)]),
  );
  expect(shown.length).toBeGreaterThan(0);
  for (const [label, , , jobs, share] of shown) {
    const key = label.toLowerCase().replace(/ /g, "_");
    const measure = (m: string) =>
      rows.find((r) => r[col("section")] === "phase" && r[col("subject")] === key && r[col("measure")] === m);
    const shareRow = measure("share_of_job_time");
    expect(shareRow, `phase ${key} in the CSV`).toBeDefined();
    expect(shareRow![col("jobs")]).toBe(jobs);
    expect(`${Math.round(Number(shareRow![col("value")]) * 100)}%`).toBe(share);
  }
  consoleWatch.assertNone();
});

test("a chart's CSV holds the numbers the chart shows, under the page's filters", async ({ page }) => {
  const consoleWatch = watchConsole(page);
  await page.goto("/projects/102?period=90d&status=success");
  await waitForHydration(page);
  const figure = page.locator('figure[data-chart="durations"]');
  const link = figure.locator("a.data-link");
  await expect(link).toHaveAttribute("href", /\/export\/pipelines\.csv\?/);
  await expect(link).toHaveAttribute("href", /status=success/);
  await expect(link).toHaveAttribute("href", /period=90d/);

  // Each day's mark carries "YYYY-MM-DD: N runs, median …" as its tooltip.
  const shown: Record<string, number> = {};
  for (const tip of await figure.locator("svg title").allTextContents()) {
    const m = /^(\d{4}-\d{2}-\d{2}): (\d+) runs?\b/.exec(tip);
    if (m) shown[m[1]] = Number(m[2]);
  }
  expect(Object.keys(shown).length).toBeGreaterThan(5);

  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const [header, ...rows] = parseCsv(readFileSync(await download.path(), "utf8"));
  const created = header.indexOf("created_at");
  const status = header.indexOf("status");
  expect(created).toBeGreaterThanOrEqual(0);
  const counted: Record<string, number> = {};
  for (const row of rows.filter((r) => r.length === header.length)) {
    expect(row[status]).toBe("success");
    const day = row[created].slice(0, 10);
    counted[day] = (counted[day] ?? 0) + 1;
  }
  // Every day either way: the chart may show a day with no run that passes the filters (0).
  for (const day of new Set([...Object.keys(shown), ...Object.keys(counted)])) {
    expect(counted[day] ?? 0, day).toBe(shown[day] ?? 0);
  }
  expect(Object.values(counted).reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
  consoleWatch.assertNone();
});
