//! `r.ai` (also `r.image`): a project's AI add-ons (translation, which the
//! gateway meters in words against the add-on's quota; moderation, free)
//! and image generation, paid per image from the wallet.

use crate::routes::{field, route, Kind, Route, RouteBody, Src, PROVIDER, SERVICE_GET};
use crate::surface::{req, req_call_opts, Method, Namespace, Scope, PROJECT_ID};

/// The aspects `generateImage` offers (square when none is given).
const ASPECTS: &[&str] = &["square", "landscape", "portrait"];

/// A POST with the project's service key (argument 0 is the id).
const SERVICE: Route = Route { verb: "POST", ..SERVICE_GET };

pub const NAMESPACE: Namespace = Namespace {
    name: "ai",
    ts_name: "Ai",
    doc: crate::ts!("AI add-ons of a project (translate, moderate, usage) and paid image generation."),
    scoped: true,
    internal: false,
    hidden_aliases: &["image"],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "translate",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "TranslateOptions & CallOptions")],
            returns: crate::ts!("TranslateResult"),
            scope: Scope::Project,
            context: "translating text",
            doc: crate::ts!("POST /ai/v1/translate (service key). Needs the project's AI Translation add-on; PaymentRequired (402, not an x402 price) without it or when the cycle's words are used up."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/ai/v1/translate",
                body: RouteBody::Fields(&[
                    field("text", Src::Opt(1, "text"), Kind::Str),
                    field("to", Src::Opt(1, "to"), Kind::Str),
                    field("from", Src::Opt(1, "from"), Kind::OptStr),
                    field("context", Src::Opt(1, "context"), Kind::OptStr),
                ]),
                ..SERVICE
            }),
        },
        Method {
            name: "moderate",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("text", "string")],
            returns: crate::ts!("ModerateResult"),
            scope: Scope::Project,
            context: "moderating content",
            doc: crate::ts!("POST /ai/v1/moderate (service key, free): whether the text is flagged, per category and score."),
            http: crate::ts!(""),
            run: route(Route { path: "/ai/v1/moderate", body: RouteBody::Strings(&[("text", 1)]), ..SERVICE }),
        },
        Method {
            name: "usage",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID],
            returns: crate::ts!("AiUsageResult"),
            scope: Scope::Project,
            context: "fetching AI usage",
            doc: crate::ts!("GET /ai/v1/usage (service key): translation words used and left in the billing cycle."),
            http: crate::ts!(""),
            run: route(Route { verb: "GET", path: "/ai/v1/usage", ..SERVICE }),
        },
        Method {
            name: "generateImage",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req_call_opts("opts", "GenerateImageOptions & CallOptions")],
            returns: crate::ts!("GenerateImageResult"),
            scope: Scope::Global,
            context: "generating image",
            doc: crate::ts!("POST /generate-image/v1 (paid, $0.03 via x402): a PNG from a prompt, base64 in `image`."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/generate-image/v1",
                auth: PROVIDER,
                body: RouteBody::Fields(&[
                    field("prompt", Src::Opt(0, "prompt"), Kind::Str),
                    field("aspect", Src::Opt(0, "aspect"), Kind::OneOfOr(ASPECTS, "square")),
                ]),
                paid: true,
                ..SERVICE
            }),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export interface TranslateOptions {
  text: string;
  /** Target language, an ISO 639-1 code ("es"). */
  to: string;
  /** Source language; detected when left out. */
  from?: string;
  /** A hint for tone and register ("formal business email"), at most 200 characters. */
  context?: string;
}

export interface TranslateResult {
  text: string;
  from: string;
  to: string;
  [key: string]: unknown;
}

export interface ModerateResult {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
  [key: string]: unknown;
}

export interface AiUsageResult {
  translation: {
    active: boolean;
    used_words: number;
    included_words: number;
    remaining_words: number;
    billing_cycle_start: string;
  };
  [key: string]: unknown;
}

export type ImageAspect = "square" | "landscape" | "portrait";

export interface GenerateImageOptions {
  /** What to draw. */
  prompt: string;
  /** Default "square". */
  aspect?: ImageAspect;
  /** Sent as Idempotency-Key; default: one per withRetry scope, else random. */
  idempotencyKey?: string;
}

export interface GenerateImageResult {
  /** The image bytes, base64. */
  image: string;
  content_type: string;
  aspect: ImageAspect;
  [key: string]: unknown;
}
"#;

#[cfg(test)]
mod tests {
    use alloc::rc::Rc;

    use serde_json::{json, Value};

    use crate::credentials::ProviderMethod;
    use crate::error::{ErrorKind, Result};
    use crate::kernel::Kernel;
    use crate::testing::{self, body_text, header, to_serde, Answer, MockTransport};
    use crate::value::Val;

    fn setup() -> (Rc<Kernel>, MockTransport) {
        let (k, t, c) = testing::kernel();
        c.on(ProviderMethod::GetProject, json!({"anon_key": "anon-k", "service_key": "svc-k"}));
        (k, t)
    }

    fn call_as(k: &Rc<Kernel>, name: &str, scope: Option<&str>, args: Vec<Value>) -> Result<Val> {
        testing::call_method(k, "ai", name, scope, args)
    }

    fn call(k: &Rc<Kernel>, name: &str, args: Vec<Value>) -> Result<Val> {
        call_as(k, name, None, args)
    }

    use testing::last_sent as last;

    #[test]
    fn translate_sends_from_and_context_only_when_truthy() {
        let (k, t) = setup();
        t.answers.borrow_mut().push_back(Answer::json(200, json!({"text": "hola", "from": "en", "to": "es"})));
        let out = call(&k, "translate", vec![json!("prj_1"), json!({"text": "hello", "to": "es", "from": "", "timeoutMs": 5000})]).unwrap();
        assert_eq!(to_serde(&out), json!({"text": "hola", "from": "en", "to": "es"}));
        let req = last(&t);
        assert_eq!((req.method.as_str(), req.url.as_str()), ("POST", "https://api.test/ai/v1/translate"));
        assert_eq!(header(&req, "authorization"), Some("Bearer svc-k"));
        assert_eq!(body_text(&req).as_deref(), Some(r#"{"text":"hello","to":"es"}"#));
        call(&k, "translate", vec![json!("prj_1"), json!({"text": "hi", "to": "fr", "from": "en", "context": "casual"})]).unwrap();
        assert_eq!(body_text(&last(&t)).as_deref(), Some(r#"{"text":"hi","to":"fr","from":"en","context":"casual"}"#));
    }

    #[test]
    fn bad_input_fails_locally_before_any_request() {
        let (k, t) = setup();
        let cases = [
            ("translate", vec![json!("prj_1")], "`text` must be a string, got undefined"),
            ("translate", vec![json!("prj_1"), json!({"text": "  ", "to": "es"})], "`text` must not be empty"),
            ("translate", vec![json!("prj_1"), json!({"text": "x"})], "`to` must be a string, got undefined"),
            ("translate", vec![json!("prj_1"), json!({"text": "x", "to": "es", "from": 3})], "`from` must be a string, got a number"),
            ("moderate", vec![json!("prj_1"), json!("")], "`text`"),
            ("usage", vec![json!("../x")], "`projectId`"),
            ("generateImage", vec![], "`prompt` must be a string, got undefined"),
            ("generateImage", vec![json!("a cat")], "`opts` must be an object, got a string"),
            ("generateImage", vec![json!({"prompt": "a cat", "aspect": "wide"})], "`aspect` must be one of square, landscape, portrait, got \"wide\""),
        ];
        for (name, args, message) in cases {
            let e = call(&k, name, args).unwrap_err();
            assert_eq!(e.kind, ErrorKind::LocalError, "{name}: {}", e.message);
            assert!(e.message.contains(message), "{name}: {}", e.message);
        }
        assert!(t.sent.borrow().is_empty());
    }

    #[test]
    fn generate_image_is_paid_signed_in_and_square_by_default() {
        let (k, t) = setup();
        call(&k, "generateImage", vec![json!({"prompt": "a lighthouse", "idempotencyKey": "img-1"})]).unwrap();
        let req = last(&t);
        assert_eq!((req.method.as_str(), req.url.as_str()), ("POST", "https://api.test/generate-image/v1"));
        assert_eq!(body_text(&req).as_deref(), Some(r#"{"prompt":"a lighthouse","aspect":"square"}"#));
        assert_eq!(header(&req, "idempotency-key"), Some("img-1"));
        assert_eq!(header(&req, "authorization"), None);
    }

    #[test]
    fn scoped_calls_supply_the_project_and_pass_generate_image_through() {
        let (k, t) = setup();
        call_as(&k, "usage", Some("prj_7"), vec![]).unwrap();
        let req = last(&t);
        assert_eq!((req.method.as_str(), req.url.as_str()), ("GET", "https://api.test/ai/v1/usage"));
        assert_eq!(header(&req, "authorization"), Some("Bearer svc-k"));
        call_as(&k, "moderate", Some("prj_7"), vec![json!("some text")]).unwrap();
        assert_eq!(body_text(&last(&t)).as_deref(), Some(r#"{"text":"some text"}"#));
        call_as(&k, "generateImage", Some("prj_7"), vec![json!({"prompt": "p", "aspect": "portrait"})]).unwrap();
        assert_eq!(body_text(&last(&t)).as_deref(), Some(r#"{"prompt":"p","aspect":"portrait"}"#));
    }
}
