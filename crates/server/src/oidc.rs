//! The OpenID Connect protocol for team sign-in: discovery, the
//! authorization code flow with PKCE, state and nonce, and the ID token's
//! checks (signature from the provider's keys, issuer, audience, expiry,
//! nonce). Every request to a provider goes through [`fetch`]: no redirects
//! followed, bounded time and size, and no loopback, private or link-local
//! address unless the operator allows it.

use std::time::Duration;

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RequestTokenError, Scope, TokenResponse,
};
use portico_app::sign_in::{PendingSignIn, Provider, VerifiedIdentity};
use portico_domain::Error;
use portico_domain::integration::Target;

use crate::outbound::Resolver;

/// How long one request to a provider may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read from a provider.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Why a request to a provider failed.
#[derive(Debug)]
pub struct FetchError(String);

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FetchError {}

/// Sends one request of the protocol to a provider.
async fn fetch(
    allow_private: bool,
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, FetchError> {
    let url = request.uri().to_string();
    let target = Target::parse(&url).map_err(|e| FetchError(e.message))?;
    let addr = Resolver::default()
        .pick(&target, allow_private, "sign-in providers")
        .await
        .map_err(FetchError)?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .resolve(&target.host, addr)
        .user_agent("Portico-SignIn/1")
        .build()
        .map_err(|e| FetchError(e.to_string()))?;
    let (parts, body) = request.into_parts();
    let mut response = client
        .request(parts.method, &url)
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| FetchError(format!("{} did not answer: {}", target.host, without_url(&e))))?;
    let status = response.status();
    let headers = response.headers().clone();
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FetchError(format!("{} broke off its answer: {}", target.host, without_url(&e))))?
    {
        if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(FetchError(format!("{} answered more than 1 MiB", target.host)));
        }
        bytes.extend_from_slice(&chunk);
    }
    let mut answer = openidconnect::http::Response::new(bytes);
    *answer.status_mut() = status;
    *answer.headers_mut() = headers;
    Ok(answer)
}

fn without_url(e: &reqwest::Error) -> String {
    let mut e = e.to_string();
    if let Some(i) = e.find(" for url") {
        e.truncate(i);
    }
    e
}

fn unreachable(issuer: &str, detail: impl std::fmt::Display) -> Error {
    Error::invalid(
        "identity_provider_unreachable",
        format!("The identity provider {issuer} could not be used: {detail}."),
    )
}

/// A client made from a provider's discovery document.
type DiscoveredClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

async fn client_for(provider: &Provider, redirect_uri: &str, allow_private: bool) -> Result<DiscoveredClient, Error> {
    let metadata = discover(&provider.issuer, allow_private).await?;
    let redirect = RedirectUrl::new(redirect_uri.to_owned()).map_err(|_| Error::internal())?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(provider.client_secret.clone())),
    )
    .set_redirect_uri(redirect);
    Ok(client)
}

fn discovery_detail<E: std::error::Error>(e: &openidconnect::DiscoveryError<E>) -> String {
    use openidconnect::DiscoveryError as D;
    match e {
        D::Request(inner) => inner.to_string(),
        D::Parse(_) => "its discovery document is not valid OpenID Connect metadata".into(),
        D::Response(status, _, _) => format!("its discovery document answered HTTP {status}"),
        D::Validation(v) => format!("its discovery document does not match the issuer ({v})"),
        other => other.to_string(),
    }
}

/// Sets a team's provider: the settings are checked, the caller's right to
/// change them is checked before the server reaches out to the issuer, and
/// the issuer must answer discovery before anything is kept.
pub async fn configure(
    app: &portico_app::App,
    who: &portico_app::Principal,
    team: portico_domain::ids::TeamId,
    issuer: &str,
    client_id: &str,
    client_secret: Option<&str>,
    enforce: bool,
) -> Result<portico_app::sign_in::TeamSignIn, Error> {
    app.team_sign_in(who, team).await?;
    let settings = portico_domain::sign_in::ProviderSettings::parse(issuer, client_id, enforce)?;
    check_issuer(&settings.issuer, app.config.allow_private_identity_providers).await?;
    app.set_team_sign_in(who, team, settings, client_secret).await
}

/// Checks that an issuer answers discovery as an OpenID provider (before a
/// team admin's settings are kept).
pub async fn check_issuer(issuer: &str, allow_private: bool) -> Result<(), Error> {
    discover(issuer, allow_private).await.map(|_| ())
}

/// The issuer's discovery document and keys.
async fn discover(issuer: &str, allow_private: bool) -> Result<CoreProviderMetadata, Error> {
    let http = move |r| fetch(allow_private, r);
    let url = IssuerUrl::new(issuer.to_owned()).map_err(|e| unreachable(issuer, e))?;
    CoreProviderMetadata::discover_async(url, &http)
        .await
        .map_err(|e| unreachable(issuer, discovery_detail(&e)))
}

/// Where to send someone to sign in, with the secrets to remember.
pub struct Started {
    pub authorize_url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Starts a sign-in at the team's provider.
pub async fn start(provider: &Provider, redirect_uri: &str, allow_private: bool) -> Result<Started, Error> {
    let client = client_for(provider, redirect_uri, allow_private).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    Ok(Started {
        authorize_url: url.to_string(),
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
    })
}

/// Finishes a sign-in: exchanges the code (with the PKCE verifier) and
/// checks the ID token. Answers who signed in.
pub async fn finish(
    pending: &PendingSignIn,
    code: &str,
    redirect_uri: &str,
    allow_private: bool,
) -> Result<VerifiedIdentity, Error> {
    let provider = &pending.provider;
    let client = client_for(provider, redirect_uri, allow_private).await?;
    let http = move |r| fetch(allow_private, r);
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|_| unreachable(&provider.issuer, "it has no token endpoint"))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| match e {
            RequestTokenError::ServerResponse(r) => Error::invalid(
                "sign_in_refused",
                format!(
                    "The identity provider refused the sign-in ({}{}). Start again.",
                    r.error(),
                    r.error_description().map(|d| format!(": {d}")).unwrap_or_default()
                ),
            ),
            RequestTokenError::Request(inner) => unreachable(&provider.issuer, inner),
            RequestTokenError::Parse(_, _) => unreachable(&provider.issuer, "its token answer is not valid"),
            other => unreachable(&provider.issuer, other),
        })?;
    let id_token = token
        .id_token()
        .ok_or_else(|| unreachable(&provider.issuer, "its token answer has no ID token"))?;
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce.clone()))
        .map_err(|e| {
            Error::invalid(
                "id_token_rejected",
                format!("The identity provider's ID token was not accepted: {e}. Start again."),
            )
        })?;
    let email = claims.email().map(|e| e.as_str().to_owned()).ok_or_else(|| {
        Error::forbidden(
            "email_not_usable",
            "The identity provider did not give an email address for this account.",
        )
    })?;
    Ok(VerifiedIdentity {
        email,
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_owned()),
    })
}
