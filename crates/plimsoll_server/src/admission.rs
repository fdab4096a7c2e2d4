//! `admission.k8s.io/v1` `AdmissionReview`, hand-rolled.
//!
//! Only the fields the webhook reads or writes are typed; everything else the API server sends is
//! ignored. The object is kept as raw JSON text ([`RawValue`]): it is parsed once, by
//! `plimsoll_yaml`, which keeps byte spans, so findings can be mapped back to field paths. Using
//! `kube-core`'s admission module instead would pull `k8s-openapi` (a version feature, ~20-60 s of
//! build) for a dozen fields and would force a second parse of the object into a
//! `DynamicObject`.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

pub const API_VERSION: &str = "admission.k8s.io/v1";
pub const KIND: &str = "AdmissionReview";

/// The review the API server posts.
#[derive(Debug, Deserialize)]
pub struct AdmissionReview {
    #[serde(rename = "apiVersion", default)]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    pub request: Option<AdmissionRequest>,
}

/// `group`/`version`/`kind`.
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub struct GroupVersionKind {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
}

/// `group`/`version`/`resource`.
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub struct GroupVersionResource {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub resource: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct UserInfo {
    #[serde(default)]
    pub username: String,
}

/// `AdmissionRequest`: what is being done to which object.
#[derive(Debug, Deserialize)]
pub struct AdmissionRequest {
    pub uid: String,
    #[serde(default)]
    pub kind: GroupVersionKind,
    #[serde(default)]
    pub resource: GroupVersionResource,
    #[serde(rename = "subResource", default)]
    pub sub_resource: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    #[serde(default)]
    pub operation: String,
    #[serde(rename = "userInfo", default)]
    pub user_info: UserInfo,
    /// The object as it would be stored; `None` (or JSON `null`) for DELETE and CONNECT.
    #[serde(default)]
    pub object: Option<Box<RawValue>>,
    #[serde(rename = "oldObject", default)]
    pub old_object: Option<Box<RawValue>>,
    #[serde(rename = "dryRun", default)]
    pub dry_run: Option<bool>,
}

/// The review the webhook answers with.
#[derive(Debug, Serialize)]
pub struct AdmissionReviewResponse {
    #[serde(rename = "apiVersion")]
    pub api_version: &'static str,
    pub kind: &'static str,
    pub response: AdmissionResponse,
}

#[derive(Debug, Serialize)]
pub struct AdmissionResponse {
    pub uid: String,
    pub allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The part of `metav1.Status` a denial carries.
#[derive(Debug, Serialize)]
pub struct Status {
    pub status: &'static str,
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
}

impl AdmissionResponse {
    pub fn into_review(self) -> AdmissionReviewResponse {
        AdmissionReviewResponse {
            api_version: API_VERSION,
            kind: KIND,
            response: self,
        }
    }
}

/// Why a body is not a review this webhook can answer (answered with HTTP 400).
#[derive(Debug, PartialEq, Eq)]
pub enum BadReview {
    Json(String),
    ApiVersion(String),
    Kind(String),
    NoRequest,
    NoUid,
}

impl std::fmt::Display for BadReview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BadReview::Json(e) => write!(f, "body is not a valid AdmissionReview: {e}"),
            BadReview::ApiVersion(v) => write!(
                f,
                "unsupported apiVersion {v:?}: only {API_VERSION} is served \
                 (set admissionReviewVersions: [v1] in the webhook configuration)"
            ),
            BadReview::Kind(k) => write!(f, "kind is {k:?}, expected {KIND}"),
            BadReview::NoRequest => f.write_str("AdmissionReview has no request"),
            BadReview::NoUid => f.write_str("AdmissionReview request has no uid"),
        }
    }
}

/// Decode and check a review body.
pub fn decode(body: &[u8]) -> Result<AdmissionRequest, BadReview> {
    let review: AdmissionReview =
        serde_json::from_slice(body).map_err(|e| BadReview::Json(e.to_string()))?;
    if review.api_version != API_VERSION {
        return Err(BadReview::ApiVersion(review.api_version));
    }
    if review.kind != KIND {
        return Err(BadReview::Kind(review.kind));
    }
    let request = review.request.ok_or(BadReview::NoRequest)?;
    if request.uid.is_empty() {
        return Err(BadReview::NoUid);
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_review_and_keeps_the_object_raw() {
        let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"ns","operation":"CREATE","userInfo":{"username":"me","groups":["a"]},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}},"oldObject":null,"dryRun":true,"options":{}}}"#;
        let r = decode(body).unwrap();
        assert_eq!(r.uid, "u1");
        assert_eq!(r.kind.kind, "Pod");
        assert_eq!(r.dry_run, Some(true));
        assert!(r.old_object.is_none());
        assert_eq!(
            r.object.unwrap().get(),
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}"#
        );
    }

    #[test]
    fn rejects_what_it_cannot_answer() {
        assert!(matches!(decode(b"{"), Err(BadReview::Json(_))));
        assert!(matches!(
            decode(br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}"#),
            Err(BadReview::ApiVersion(_))
        ));
        assert_eq!(
            decode(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#).err(),
            Some(BadReview::NoRequest)
        );
        assert_eq!(
            decode(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":""}}"#)
                .err(),
            Some(BadReview::NoUid)
        );
    }

    #[test]
    fn response_shape() {
        let r = AdmissionResponse {
            uid: "u".into(),
            allowed: false,
            status: Some(Status {
                status: "Failure",
                code: 403,
                reason: "Forbidden",
                message: "no".into(),
            }),
            warnings: vec![],
        }
        .into_review();
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":false,"status":{"status":"Failure","code":403,"reason":"Forbidden","message":"no"}}}"#
        );
    }
}
