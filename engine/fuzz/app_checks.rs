//! The properties of the fuzz targets that reach into the app crate (`kms-playground`): its
//! share-link decoder. `fuzz_targets/share.rs` runs them under libFuzzer (nightly);
//! `tests/app/saving_and_sharing.rs` replays `corpus/share/` through them on stable.

use kms_playground::share::{
    SHARE_PREFIX, StartRequest, decode_share, encode_focus, encode_share, start_request,
};

/// Any bytes as a URL fragment: the decoder never panics (a link that inflates past its limit
/// or is damaged anywhere is an error); a link that decodes is written again, focus and all, as
/// one that decodes to the same scenario, engine version and focus; and the page's start-up
/// reads the fragment as the decoder does. Any bytes as a scenario's text come back exactly
/// from the link made of them.
pub fn share(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let decoded = decode_share(&text);
    let fragment = text.strip_prefix('#').unwrap_or(&text);
    match start_request(&text) {
        StartRequest::Shared(started) => assert_eq!(started, decoded),
        _ => assert!(!fragment.starts_with(SHARE_PREFIX)),
    }
    if let Ok(shared) = decoded {
        let mut again = encode_share(&shared.scenario, &shared.engine_version);
        if let Some(focus) = &shared.focus {
            again.push_str(&encode_focus(focus));
        }
        assert_eq!(decode_share(&again).as_ref(), Ok(&shared));
    }
    let link = encode_share(&text, "0.1.0");
    let back = decode_share(&link).expect("a link this build writes opens");
    assert_eq!((back.scenario.as_str(), back.focus), (&*text, None));
}
