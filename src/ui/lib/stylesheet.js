// A page's own stylesheet, linked once on first mount (pages/<page>.css), so pages do not edit style.css.
export function stylesheet(href) {
  if (document.querySelector(`link[data-sheet="${href}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  link.dataset.sheet = href;
  document.head.append(link);
}
