//! `r.auth`: a project's end users. Magic links, passwords, passkeys and the
//! provider list run as the app's users do (the anon key, or the user's own
//! access token passed in the options); settings, user creation and role
//! changes are the project admin's (the service key). Every member is a
//! declared route; `requestMagicLink` only picks which of two routes to run,
//! because an invite is sent with the service key and a sign-in link with
//! the anon key (contract §1.12).

use crate::prelude::*;
use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::LocalFuture;
use crate::error::Result;
use crate::kernel::Kernel;
use crate::routes::{self, field, route, user_token, Auth, Field, Key, Kind, Out, Route, RouteBody, Src, ANON, ANON_SERVICE, SERVICE_GET};
use crate::surface::{req, req_call_opts, Method, Namespace, Run, Scope, PROJECT_ID};
use crate::value::Val;

/// The token a signed-in user's calls carry: `opts.accessToken`.
const ACCESS_TOKEN: Src = Src::Opt(1, "accessToken");

/// An end-user call with the anon key (`AK(anon)+AB(anon)+P`).
const AS_ANON: Route = Route { verb: "POST", auth: ANON, ..SERVICE_GET };
/// An end-user call with the user's access token (`AK(anon)+UT+P`).
const AS_USER: Route = Route { verb: "POST", auth: user_token(ACCESS_TOKEN), ..SERVICE_GET };
/// A project-admin call (`AK(anon)+SK+P`).
const AS_ADMIN: Route = Route { verb: "POST", auth: ANON_SERVICE, ..SERVICE_GET };

const MAGIC_LINK_FIELDS: &[Field] = &[
    field("email", Src::Opt(1, "email"), Kind::Str),
    field("redirect_url", Src::Opt(1, "redirectUrl"), Kind::Str),
    field("intent", Src::Opt(1, "intent"), Kind::OptStr),
    field("client_state", Src::Opt(1, "clientState"), Kind::OptJson),
];
const SIGN_IN_LINK: Route =
    Route { path: "/auth/v1/magic-link", body: RouteBody::Fields(MAGIC_LINK_FIELDS), result: Out::Void, ..AS_ANON };
/// An invite carries the service key: the gateway trusts its `client_state`.
const INVITE_LINK: Route = Route { auth: ANON_SERVICE, ..SIGN_IN_LINK };

/// `createUser`'s body; `inviteUser` sends the same with `send_invite: true`.
const fn user_fields(send_invite: Field) -> [Field; 5] {
    [
        field("email", Src::Opt(1, "email"), Kind::Str),
        field("is_admin", Src::Opt(1, "isAdmin"), Kind::OptBool),
        send_invite,
        field("redirect_url", Src::Opt(1, "redirectUrl"), Kind::OptStr),
        field("client_state", Src::Opt(1, "clientState"), Kind::OptJson),
    ]
}
const CREATE_USER_FIELDS: [Field; 5] = user_fields(field("send_invite", Src::Opt(1, "sendInvite"), Kind::OptBool));
const INVITE_USER_FIELDS: [Field; 5] = user_fields(field("send_invite", Src::Const("true"), Kind::Bool));
const CREATE_USER: Route = Route { path: "/auth/v1/admin/users", body: RouteBody::Fields(&CREATE_USER_FIELDS), ..AS_ADMIN };

/// The settings `auth.settings` takes (3.3.3's list); the object is sent as given.
const SETTINGS_FIELDS: &[Field] = &[
    field("allow_password_set", Src::Opt(1, "allow_password_set"), Kind::OptBool),
    field("preferred_sign_in_method", Src::Opt(1, "preferred_sign_in_method"), Kind::OptOneOf(&["password", "magic_link", "oauth_google", "passkey"])),
    field("public_signup", Src::Opt(1, "public_signup"), Kind::OptOneOf(&["open", "known_email", "invite_only"])),
    field("require_passkey_for_project_admin", Src::Opt(1, "require_passkey_for_project_admin"), Kind::OptBool),
    field("allowed_email_domains", Src::Opt(1, "allowed_email_domains"), Kind::OptStrList),
];

const EMAIL: crate::surface::Param = req("email", "string");

pub const NAMESPACE: Namespace = Namespace {
    name: "auth",
    ts_name: "Auth",
    doc: crate::ts!("A project's end users: magic links, passwords, passkeys (anon key or the user's access token); settings, users and roles (service key)."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "requestMagicLink",
            aliases: &["magicLink"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "MagicLinkOptions")],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "requesting magic link",
            doc: crate::ts!("Emails a one-time sign-in link (15 minutes). `intent: \"invite\"` is sent with the service key, so the gateway marks its `clientState` trusted; other intents use the anon key."),
            http: crate::ts!("POST /auth/v1/magic-link · anon key (service key as bearer for intent \"invite\")"),
            run: Run::Code(request_magic_link),
        },
        Method {
            name: "verifyMagicLink",
            aliases: &["verify"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("token", "string")],
            returns: crate::ts!("MagicLinkVerifyResult"),
            scope: Scope::Project,
            context: "verifying magic link",
            doc: crate::ts!("Exchanges a magic-link token (once) for an access token (1 h) and a refresh token."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/auth/v1/token?grant_type=magic_link",
                body: RouteBody::Strings(&[("token", 1)]),
                ..AS_ANON
            }),
        },
        Method {
            name: "setUserPassword",
            aliases: &["setPassword"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "SetPasswordOptions")],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "setting user password",
            doc: crate::ts!("Sets, changes or resets the signed-in user's password (the user's `accessToken` is the bearer). A change needs `currentPassword`; an initial set or a reset after a magic link does not."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "PUT",
                path: "/auth/v1/user/password",
                body: RouteBody::Fields(&[
                    field("new_password", Src::Opt(1, "newPassword"), Kind::Str),
                    field("current_password", Src::Opt(1, "currentPassword"), Kind::OptStr),
                ]),
                result: Out::Void,
                ..AS_USER
            }),
        },
        Method {
            name: "settings",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("settings", "AuthSettings")],
            returns: crate::ts!("AuthSettingsResult"),
            scope: Scope::Project,
            context: "updating auth settings",
            doc: crate::ts!("Updates the project's auth settings and returns all of them. The object is sent as given, after a LocalError for a field it does not know or a value of the wrong type; the gateway checks the values (domains, for one)."),
            http: crate::ts!(""),
            run: route(Route { verb: "PATCH", path: "/auth/v1/settings", body: RouteBody::Only(SETTINGS_FIELDS), ..AS_ADMIN }),
        },
        Method {
            name: "createUser",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "CreateAuthUserOptions")],
            returns: crate::ts!("AuthUserAdminResult"),
            scope: Scope::Project,
            context: "creating auth user",
            doc: crate::ts!("Creates a user, or updates the one with this email (`created` says which); `sendInvite` also emails an invite link."),
            http: crate::ts!(""),
            run: route(CREATE_USER),
        },
        Method {
            name: "inviteUser",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "InviteAuthUserOptions")],
            returns: crate::ts!("AuthUserAdminResult"),
            scope: Scope::Project,
            context: "creating auth user",
            doc: crate::ts!("`createUser` with `send_invite: true`: creates or updates the user and emails a trusted invite link."),
            http: crate::ts!(""),
            run: route(Route { body: RouteBody::Fields(&INVITE_USER_FIELDS), ..CREATE_USER }),
        },
        Method {
            name: "createPasskeyRegistrationOptions",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "PasskeyRegistrationOptions")],
            returns: crate::ts!("PasskeyOptionsResult"),
            scope: Scope::Project,
            context: "creating passkey registration options",
            doc: crate::ts!("WebAuthn creation options for the signed-in user, for `navigator.credentials.create({ publicKey: options })` on `appOrigin` (the relying party is its host)."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/auth/v1/passkeys/register/options",
                body: RouteBody::Fields(&[field("app_origin", Src::Opt(1, "appOrigin"), Kind::Str)]),
                ..AS_USER
            }),
        },
        Method {
            name: "verifyPasskeyRegistration",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "PasskeyRegistrationVerifyOptions")],
            returns: crate::ts!("PasskeyRecord"),
            scope: Scope::Project,
            context: "verifying passkey registration",
            doc: crate::ts!("Verifies the browser's registration `response` against its challenge and stores the passkey."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/auth/v1/passkeys/register/verify",
                body: RouteBody::Fields(&[
                    field("challenge_id", Src::Opt(1, "challengeId"), Kind::Str),
                    field("response", Src::Opt(1, "response"), Kind::OptJson),
                    field("label", Src::Opt(1, "label"), Kind::OptStr),
                ]),
                ..AS_USER
            }),
        },
        Method {
            name: "createPasskeyLoginOptions",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "PasskeyLoginOptions")],
            returns: crate::ts!("PasskeyOptionsResult"),
            scope: Scope::Project,
            context: "creating passkey login options",
            doc: crate::ts!("WebAuthn request options for `navigator.credentials.get({ publicKey: options })`; with `email`, limited to that user's passkeys."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/auth/v1/passkeys/login/options",
                body: RouteBody::Fields(&[
                    field("app_origin", Src::Opt(1, "appOrigin"), Kind::Str),
                    field("email", Src::Opt(1, "email"), Kind::OptStr),
                ]),
                ..AS_ANON
            }),
        },
        Method {
            name: "verifyPasskeyLogin",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "PasskeyLoginVerifyOptions")],
            returns: crate::ts!("AuthSessionResult"),
            scope: Scope::Project,
            context: "verifying passkey login",
            doc: crate::ts!("Verifies the browser's assertion `response` and returns a session, as a password login does."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/auth/v1/passkeys/login/verify",
                body: RouteBody::Fields(&[
                    field("challenge_id", Src::Opt(1, "challengeId"), Kind::Str),
                    field("response", Src::Opt(1, "response"), Kind::OptJson),
                ]),
                ..AS_ANON
            }),
        },
        Method {
            name: "listPasskeys",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "PasskeyListOptions")],
            returns: crate::ts!("PasskeyListResult"),
            scope: Scope::Project,
            context: "listing passkeys",
            doc: crate::ts!("The signed-in user's passkeys. Sends the anon key and the user's token only (no provider headers)."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "GET",
                path: "/auth/v1/passkeys",
                auth: Auth { apikey: Key::Anon, bearer: Key::Token(ACCESS_TOKEN), provider: false },
                ..SERVICE_GET
            }),
        },
        Method {
            name: "deletePasskey",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "PasskeyDeleteOptions")],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "deleting passkey",
            doc: crate::ts!("Deletes one of the signed-in user's passkeys by its id."),
            http: crate::ts!(""),
            run: route(Route { verb: "DELETE", path: "/auth/v1/passkeys/{1.passkeyId}", result: Out::Void, ..AS_USER }),
        },
        Method {
            name: "providers",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID],
            returns: crate::ts!("unknown"),
            scope: Scope::Project,
            context: "listing auth providers",
            doc: crate::ts!("The sign-in methods the project offers. Sends the anon key only (no provider headers); the shape is the gateway's."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "GET",
                path: "/auth/v1/providers",
                auth: Auth { apikey: Key::Anon, bearer: Key::Anon, provider: false },
                ..SERVICE_GET
            }),
        },
        Method {
            name: "promote",
            aliases: &["promoteUser"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, EMAIL],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "promoting user",
            doc: crate::ts!("Makes the user with this email a `project_admin`."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "POST",
                path: "/projects/v1/admin/{id}/promote-user",
                body: RouteBody::Strings(&[("email", 1)]),
                result: Out::Void,
                ..SERVICE_GET
            }),
        },
        Method {
            name: "demote",
            aliases: &["demoteUser"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, EMAIL],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "demoting user",
            doc: crate::ts!("Returns the user with this email from `project_admin` to the default role."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "POST",
                path: "/projects/v1/admin/{id}/demote-user",
                body: RouteBody::Strings(&[("email", 1)]),
                result: Out::Void,
                ..SERVICE_GET
            }),
        },
    ],
};

/// Picks the sign-in or the invite route by `opts.intent` (checked against
/// the gateway's four intents first), then runs it. Not an `async fn`, for
/// the reason given at `secrets::set`: the future is the interpreter's own.
fn request_magic_link(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    let route = match magic_link_route(&a) {
        Ok(route) => route,
        Err(e) => return crate::namespaces::steps::ready(Err(e)),
    };
    Box::pin(async move { routes::run(&k, a, route).await })
}

fn magic_link_route(a: &Args) -> Result<&'static Route> {
    let Some(opts) = a.opt_object(1, "opts")? else { return Err(a.error("`opts` must be an object ({ email, redirectUrl })")) };
    match a.opt_field_string(&opts, "intent")?.as_deref() {
        Some("invite") => Ok(&INVITE_LINK),
        None | Some("signin" | "claim" | "recovery") => Ok(&SIGN_IN_LINK),
        Some(_) => Err(a.error("`intent` must be one of signin, invite, claim, recovery")),
    }
}

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export type MagicLinkIntent = "signin" | "invite" | "claim" | "recovery";

export interface MagicLinkOptions extends CallOptions {
  email: string;
  /** Where the emailed link points; the gateway appends the token. */
  redirectUrl: string;
  /** Default "signin". "invite" is sent with the service key. */
  intent?: MagicLinkIntent;
  /** Opaque app state echoed back by verifyMagicLink (trusted only on invites). */
  clientState?: unknown;
}

export interface MagicLinkUser {
  id: string;
  email: string;
}

export interface MagicLinkVerifyResult {
  access_token: string;
  refresh_token: string;
  token_type: string;
  /** Seconds until access_token expires (3600). */
  expires_in: number;
  user: MagicLinkUser;
  magic_link?: {
    intent: MagicLinkIntent;
    client_state: string | null;
    state_source: "anonymous" | "service_key";
    state_trusted: boolean;
  };
  [key: string]: unknown;
}

export interface SetPasswordOptions extends CallOptions {
  /** The user's access token (the request's bearer). */
  accessToken: string;
  newPassword: string;
  /** Required to change an existing password; omit for an initial set or a reset after a magic link. */
  currentPassword?: string;
}

export type SignInMethod = "password" | "magic_link" | "oauth_google" | "passkey";
export type PublicSignupPolicy = "open" | "known_email" | "invite_only";

export interface AuthSettings {
  allow_password_set?: boolean;
  preferred_sign_in_method?: SignInMethod | null;
  /** "open": anyone may sign up; "known_email": only emails the project created; "invite_only": no self sign-up. */
  public_signup?: PublicSignupPolicy;
  require_passkey_for_project_admin?: boolean;
  /** Email domains allowed for hosted Google sign-in; [] clears the restriction. */
  allowed_email_domains?: string[];
}

export interface AuthSettingsResult {
  allow_password_set: boolean;
  preferred_sign_in_method: SignInMethod | null;
  public_signup: PublicSignupPolicy;
  require_passkey_for_project_admin: boolean;
  allowed_email_domains: string[];
  [key: string]: unknown;
}

export interface CreateAuthUserOptions extends CallOptions {
  email: string;
  isAdmin?: boolean;
  sendInvite?: boolean;
  redirectUrl?: string;
  clientState?: unknown;
}

export type InviteAuthUserOptions = Omit<CreateAuthUserOptions, "sendInvite">;

export interface AuthUserAdminResult {
  id: string;
  email: string;
  is_admin: boolean;
  email_verified_at: string | null;
  /** false when a user with this email already existed (and was updated). */
  created: boolean;
  invite_sent: boolean;
  [key: string]: unknown;
}

export interface AuthSessionResult extends MagicLinkVerifyResult {
  /** An admin signed in without a passkey where the project requires one: the session is a plain user's. */
  elevation_required?: boolean;
  required_method?: "passkey";
  effective_role?: "authenticated";
  intended_role?: "project_admin";
}

export interface PasskeyOptionsResult {
  challenge_id: string;
  /** WebAuthn options JSON (challenge and ids base64url). */
  options: unknown;
  [key: string]: unknown;
}

export interface PasskeyRecord {
  id: string;
  rp_id: string;
  created_origin: string;
  last_used_origin?: string | null;
  transports: string[];
  label: string | null;
  credential_device_type: string | null;
  credential_backed_up: boolean | null;
  created_at: string;
  last_used_at: string | null;
  [key: string]: unknown;
}

export interface PasskeyListResult {
  passkeys: PasskeyRecord[];
  [key: string]: unknown;
}

export interface PasskeyRegistrationOptions extends CallOptions {
  accessToken: string;
  /** The page's origin, e.g. "https://app.example.com"; its host is the relying party id. */
  appOrigin: string;
}

export interface PasskeyRegistrationVerifyOptions extends CallOptions {
  accessToken: string;
  challengeId: string;
  /** The PublicKeyCredential from navigator.credentials.create, as JSON (toJSON()). */
  response: unknown;
  label?: string;
}

export interface PasskeyLoginOptions extends CallOptions {
  appOrigin: string;
  email?: string;
}

export interface PasskeyLoginVerifyOptions extends CallOptions {
  challengeId: string;
  /** The PublicKeyCredential from navigator.credentials.get, as JSON (toJSON()). */
  response: unknown;
}

export interface PasskeyListOptions extends CallOptions {
  accessToken: string;
}

export interface PasskeyDeleteOptions extends CallOptions {
  accessToken: string;
  passkeyId: string;
}
"#;

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use serde_json::{json, Value};

    use crate::credentials::ProviderMethod;
    use crate::error::{ErrorKind, Result};
    use crate::kernel::{HttpRequest, Kernel};
    use crate::surface::NAMESPACES;
    use crate::testing::{self, header, MockCredentials, MockTransport};
    use crate::value::Val;

    fn setup() -> (Rc<Kernel>, MockTransport, MockCredentials) {
        let (k, t, c) = testing::kernel();
        c.on(ProviderMethod::GetProject, json!({"anon_key": "anon-k", "service_key": "svc-k"}));
        c.on(ProviderMethod::GetAuth, json!({"X-Proof": "p"}));
        (k, t, c)
    }

    fn call(k: &Rc<Kernel>, name: &str, args: Vec<Value>) -> Result<Val> {
        testing::call_method(k, "auth", name, None, args)
    }

    use testing::last_sent as last;

    fn body(r: &HttpRequest) -> Value {
        serde_json::from_str(&testing::body_text(r).expect("a text body")).expect("a JSON body")
    }

    #[test]
    fn twenty_members_with_five_aliases() {
        let auth = NAMESPACES.iter().find(|n| n.name == "auth").expect("auth");
        let aliases: Vec<&str> = auth.methods.iter().flat_map(|m| m.aliases.iter().copied()).collect();
        assert_eq!((auth.methods.len(), aliases.len()), (15, 5));
        assert_eq!(aliases, ["magicLink", "verify", "setPassword", "promoteUser", "demoteUser"]);
    }

    #[test]
    fn an_invite_carries_the_service_key_and_other_intents_the_anon_key() {
        let (k, t, _) = setup();
        let opts = |intent: Value| json!({"email": "a@b.co", "redirectUrl": "https://app", "intent": intent, "clientState": {"n": 1}});
        call(&k, "requestMagicLink", vec![json!("prj_1"), opts(json!("invite"))]).unwrap();
        let req = last(&t);
        assert_eq!((header(&req, "apikey"), header(&req, "authorization")), (Some("anon-k"), Some("Bearer svc-k")));
        assert_eq!(body(&req), json!({"email": "a@b.co", "redirect_url": "https://app", "intent": "invite", "client_state": {"n": 1}}));
        call(&k, "requestMagicLink", vec![json!("prj_1"), opts(Value::Null)]).unwrap();
        let req = last(&t);
        assert_eq!(header(&req, "authorization"), Some("Bearer anon-k"));
        assert_eq!(body(&req), json!({"email": "a@b.co", "redirect_url": "https://app", "client_state": {"n": 1}}));
        let sent = t.sent.borrow().len();
        let e = call(&k, "requestMagicLink", vec![json!("prj_1"), opts(json!("signup"))]).unwrap_err();
        assert_eq!((e.kind, e.context.as_str()), (ErrorKind::LocalError, "requesting magic link"));
        assert!(call(&k, "requestMagicLink", vec![json!("prj_1")]).is_err());
        assert_eq!(t.sent.borrow().len(), sent, "no request on bad input");
    }

    #[test]
    fn invite_user_always_sends_send_invite_true() {
        let (k, t, _) = setup();
        call(&k, "inviteUser", vec![json!("prj_1"), json!({"email": "a@b.co", "isAdmin": true, "sendInvite": false, "redirectUrl": "https://app"})]).unwrap();
        let req = last(&t);
        assert_eq!(testing::body_text(&req).as_deref(), Some(r#"{"email":"a@b.co","is_admin":true,"send_invite":true,"redirect_url":"https://app"}"#));
        call(&k, "createUser", vec![json!("prj_1"), json!({"email": "a@b.co"})]).unwrap();
        assert_eq!(body(&last(&t)), json!({"email": "a@b.co"}));
    }

    #[test]
    fn user_token_calls_bear_the_token_and_list_passkeys_skips_the_provider() {
        let (k, t, c) = setup();
        call(&k, "deletePasskey", vec![json!("prj_1"), json!({"accessToken": "tok", "passkeyId": "pk 1/2"})]).unwrap();
        let req = last(&t);
        assert_eq!((req.method.as_str(), req.url.as_str()), ("DELETE", "https://api.test/auth/v1/passkeys/pk%201%2F2"));
        assert_eq!((header(&req, "apikey"), header(&req, "authorization"), header(&req, "x-proof")), (Some("anon-k"), Some("Bearer tok"), Some("p")));
        let asked = c.calls_to(ProviderMethod::GetAuth).len();
        call(&k, "listPasskeys", vec![json!("prj_1"), json!({"accessToken": "tok"})]).unwrap();
        let req = last(&t);
        assert_eq!((header(&req, "authorization"), header(&req, "x-proof")), (Some("Bearer tok"), None));
        assert_eq!(c.calls_to(ProviderMethod::GetAuth).len(), asked);
        let e = call(&k, "setUserPassword", vec![json!("prj_1"), json!({"newPassword": "x"})]).unwrap_err();
        assert!(e.message.contains("`accessToken`"), "{}", e.message);
    }
}
