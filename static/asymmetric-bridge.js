// The page's side of KMS Playground's asymmetric module (RSA and elliptic curves), which Trunk
// builds from asymmetric/ next to the app as kms-asymmetric.js and kms-asymmetric_bg.wasm. The
// app loads it when a page first needs it and then calls it synchronously, one call at a time,
// with bytes in and bytes out (the engine's crypto::backend wire form).
//
// wasm-bindgen copies this file to snippets/<crate>/static/, three folders below the app's
// files, so the module is found from this file's own URL, wherever the page is hosted.

let loaded = null;
let loading = null;

export function load_asymmetric_module() {
  if (!loading) {
    const url = new URL('../../../kms-asymmetric.js', import.meta.url);
    loading = import(url.href).then(async (module) => {
      await module.default();
      loaded = module;
    });
    // A failed load may be tried again (the network came back).
    loading.catch(() => { loading = null; });
  }
  return loading;
}

export function asymmetric_run(call) {
  return loaded ? loaded.run(call) : undefined;
}
