import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** docs/ui/: the screenshots docs/ui.md shows, taken by the browser tests. */
export const SHOTS_DIR = join(import.meta.dirname, '../../docs/ui');

const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

/**
 * Saves `docs/ui/<name>-desktop.png` and `-phone.png` of the page as it is drawn now, when
 * ARGUS_SCREENSHOTS=1 (`npm run screenshots`); otherwise does nothing, so a test run leaves the tree clean.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.ARGUS_SCREENSHOTS !== '1') return;
  mkdirSync(SHOTS_DIR, { recursive: true });
  const before = page.viewportSize();
  for (const [size, viewport] of Object.entries(WIDTHS)) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(300); // let the layout and any chart redraw at the new width
    await page.screenshot({ path: join(SHOTS_DIR, `${name}-${size}.png`), fullPage: false });
  }
  if (before) await page.setViewportSize(before);
}
