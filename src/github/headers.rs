//! Reading GitHub's response headers: the `Link` header that pages a list, and how long
//! a rate-limited call must wait (`retry-after`, `x-ratelimit-reset`).

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use url::Url;

/// How long to wait before retrying a rate-limited call, or `None` when the response is
/// not a rate limit: `retry-after` seconds first, then `x-ratelimit-reset` when
/// `x-ratelimit-remaining` is 0, then a minute for a secondary limit named only in the body.
pub fn rate_limit_wait(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    now: SystemTime,
) -> Option<Duration> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(secs) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs));
    }
    if header("x-ratelimit-remaining") == Some("0") {
        let now_secs = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
        let reset = header("x-ratelimit-reset").and_then(|v| v.parse::<u64>().ok())?;
        return Some(Duration::from_secs(reset.saturating_sub(now_secs) + 1));
    }
    let lower = body.to_ascii_lowercase();
    if status == StatusCode::TOO_MANY_REQUESTS || lower.contains("rate limit") {
        return Some(Duration::from_secs(60));
    }
    None
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(header: &str) -> Option<Url> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p == "rel=\"next\"" || p == "rel=next"
        });
        if !is_next {
            return None;
        }
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        Url::parse(target).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn next_link_is_found_among_others() {
        let h = r#"<https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=1>; rel="prev", <https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=3>; rel="next", <https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=5>; rel="last""#;
        assert_eq!(
            next_link(h).unwrap().as_str(),
            "https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=3"
        );
        assert_eq!(next_link(r#"<https://x/y?page=1>; rel="first""#), None);
        assert_eq!(next_link("garbage"), None);
    }

    #[test]
    fn rate_limits_are_read_from_headers() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(
            rate_limit_wait(StatusCode::TOO_MANY_REQUESTS, &h, "", now),
            Some(Duration::from_secs(7))
        );
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        h.insert("x-ratelimit-reset", HeaderValue::from_static("1000030"));
        assert_eq!(
            rate_limit_wait(StatusCode::FORBIDDEN, &h, "", now),
            Some(Duration::from_secs(31))
        );
        // A permission 403 is not a rate limit.
        let plain = HeaderMap::new();
        assert_eq!(
            rate_limit_wait(
                StatusCode::FORBIDDEN,
                &plain,
                r#"{"message":"Resource not accessible by integration"}"#,
                now
            ),
            None
        );
        assert_eq!(
            rate_limit_wait(
                StatusCode::FORBIDDEN,
                &plain,
                r#"{"message":"You have exceeded a secondary rate limit."}"#,
                now
            ),
            Some(Duration::from_secs(60))
        );
        assert_eq!(rate_limit_wait(StatusCode::BAD_GATEWAY, &h, "", now), None);
    }
}
