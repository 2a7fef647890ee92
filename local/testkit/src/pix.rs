//! The settings that point the box office's API Pix adapter at a running fake PSP (tests, the
//! payment benchmark): its URLs, its test CA as an extra root, our client certificate.

use bilheteria::config::{PixApiSettings, PixCredentials};
use bilheteria_fake_psp::RunningPsp;

pub fn settings_of(psp: &RunningPsp) -> PixApiSettings {
    let c = &psp.credentials;
    PixApiSettings {
        api_url: psp.api_url.clone(),
        oauth_url: psp.oauth_url.clone(),
        client_id: c.client_id.clone(),
        credentials: PixCredentials::Given {
            client_secret: c.client_secret.clone(),
            certificate_pem: c.client_cert_pem.clone(),
            private_key_pem: c.client_key_pem.clone(),
        },
        extra_root_pem: Some(c.ca_pem.clone()),
        pix_key: psp.pix_key.clone(),
    }
}
