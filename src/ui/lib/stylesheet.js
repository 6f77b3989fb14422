// A page's own stylesheet, linked once on first mount (pages/<page>.css), so pages do not edit style.css.
const loading = new Map();

/** Links the sheet once; resolves when it applies (or failed to load), for pages that measure their layout. */
export function stylesheet(href) {
  if (loading.has(href)) return loading.get(href);
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  link.dataset.sheet = href;
  const ready = new Promise((resolve) => {
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true });
  });
  loading.set(href, ready);
  document.head.append(link);
  return ready;
}
