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

/** Waits until the wasm bundle has taken over the server-rendered page. */
export async function waitForHydration(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}
