// Starts the app. It lives in its own file rather than in an inline script so that the page's
// Content-Security-Policy can forbid inline scripts entirely.
const tag = document.querySelector('script[data-kms-js]');
const { default: init } = await import(tag.dataset.kmsJs);
await init({ module_or_path: tag.dataset.kmsWasm });

// Offline use after the first visit: a same-origin service worker caches the app's own files
// (static/sw.js). Pages opened from a file:// URL have no service workers.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register(new URL('sw.js', tag.src)).catch(() => {});
}
