// Starts the app. It lives in its own file rather than in an inline script so that the page's
// Content-Security-Policy can forbid inline scripts entirely.

// The release's page carries the lecture's matrix as static HTML (src/prerender.rs) to read while
// the WebAssembly loads. It is right only when the page will open the lecture: not for a share or
// course link (a fragment other than #fresh), nor over a saved playground.
const first = document.getElementById('first-matrix');
if (first) {
  const fragment = location.hash.replace(/^#/, '');
  let saved = false;
  try {
    saved = localStorage.getItem(first.dataset.autosaveKey) !== null;
  } catch {
    // Storage refused (a privacy setting): nothing saved can be opened either.
  }
  const opensLecture = fragment === 'fresh' || (fragment === '' && !saved);
  if (!opensLecture) first.remove();
}

const tag = document.querySelector('script[data-kms-js]');
try {
  const { default: init } = await import(tag.dataset.kmsJs);
  await init({ module_or_path: tag.dataset.kmsWasm });
} catch (error) {
  // Without this the page would say "Loading" (or show nothing) for ever.
  const status = document.querySelector('#first-matrix [role="status"]') ?? document.body.appendChild(document.createElement('p'));
  status.setAttribute('role', 'alert');
  status.id = 'load-failed';
  status.textContent = `The playground could not load (${error.message ?? error}). Reload the page to try again.`;
  throw error;
}

// Offline use after the first visit: a same-origin service worker caches the app's own files
// (static/sw.js). Pages opened from a file:// URL have no service workers.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register(new URL('sw.js', tag.src)).catch(() => {});
}
