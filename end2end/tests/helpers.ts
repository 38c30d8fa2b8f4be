import { expect, type Page, type ConsoleMessage } from "@playwright/test";

/** Collects console errors and page errors; a test calls `assertNone()` at its end. */
export function watchConsole(page: Page) {
  const errors: string[] = [];
  page.on("console", (msg: ConsoleMessage) => {
    if (msg.type() === "error" || msg.type() === "warning") errors.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  page.on("response", (res) => {
    if (res.status() >= 400) errors.push(`http ${res.status()}: ${res.url()}`);
  });
  return {
    errors,
    assertNone() {
      expect(errors, "the page logged errors or warnings").toEqual([]);
    },
  };
}

/** Waits until the wasm bundle has taken over the server-rendered page. When it does not,
 * the failure says what the page logged and which of its scripts failed to load, so a rare
 * failure (seen once in CI on the phone project) can be told apart from a slow machine. */
export async function waitForHydration(page: Page) {
  const logged: string[] = [];
  const onConsole = (msg: ConsoleMessage) => logged.push(`${msg.type()}: ${msg.text()}`);
  const onError = (err: Error) => logged.push(`pageerror: ${err.message}`);
  const onFailed = (req: { url(): string; failure(): { errorText: string } | null }) =>
    logged.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ""}`);
  page.on("console", onConsole);
  page.on("pageerror", onError);
  page.on("requestfailed", onFailed);
  try {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 20_000 });
  } catch (err) {
    throw new Error(`not hydrated within 20 s; the page logged ${JSON.stringify(logged)}\n${err}`);
  } finally {
    page.off("console", onConsole);
    page.off("pageerror", onError);
    page.off("requestfailed", onFailed);
  }
}
