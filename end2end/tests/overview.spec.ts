import { test, expect } from "@playwright/test";
import { watchConsole, waitForHydration } from "./helpers";

test("the overview renders and hydrates without console errors", async ({ page }) => {
  const consoleWatch = watchConsole(page);
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle(/Projects · Strata/);
  await expect(page.getByRole("heading", { level: 1, name: "Projects" })).toBeVisible();
  await expect(page.locator("link[rel=stylesheet][href='/pkg/strata.css']")).toHaveCount(1);
  await waitForHydration(page);
  consoleWatch.assertNone();
});

test("choosing a period changes the page and the URL; back restores it", async ({ page }) => {
  const consoleWatch = watchConsole(page);
  await page.goto("/");
  await waitForHydration(page);
  await expect(page.getByTestId("period-label")).toHaveText("Last 30 days");

  await page.getByRole("link", { name: "7 days" }).click();
  await expect(page).toHaveURL(/\?period=7d$/);
  await expect(page.getByTestId("period-label")).toHaveText("Last 7 days");
  await expect(page.locator(".chip.active")).toHaveText("7 days");

  await page.goBack();
  await expect(page.getByTestId("period-label")).toHaveText("Last 30 days");
  await expect(page.locator(".chip.active")).toHaveText("30 days");
  consoleWatch.assertNone();
});

test("an empty database explains how to load data", async ({ page }) => {
  // A second server on an empty database, started by .ci/e2e.
  const empty = process.env.STRATA_E2E_EMPTY_URL;
  expect(empty, "STRATA_E2E_EMPTY_URL is set by .ci/e2e").toBeTruthy();
  await page.goto(`${empty}/`);
  await expect(page.getByRole("heading", { name: "No pipelines yet" })).toBeVisible();
  await expect(page.getByText("strata demo")).toBeVisible();
});
