#include "service/revocation/online_source.h"

#include <openssl/x509v3.h>

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "crypto/algorithms.h"
#include "crypto/revocation/ocsp.h"
#include "service/revocation/http_fetch.h"

namespace kyso {
namespace {

std::string OcspKey(const Certificate& cert, const Certificate& issuer) {
  return absl::StrCat("ocsp:", issuer.sha256_hex(), ":", cert.serial_hex());
}

std::string CrlKey(const Certificate& issuer) { return absl::StrCat("crl:", issuer.sha256_hex()); }

bool IsHttp(absl::string_view url) {
  const std::string lower = absl::AsciiStrToLower(url.substr(0, 8));
  return absl::StartsWith(lower, "http://") || absl::StartsWith(lower, "https://");
}

// The CA's CRL distribution point URIs (RFC 5280 4.2.1.13), http(s) only.
std::vector<std::string> CrlUrls(const Certificate& cert) {
  std::vector<std::string> out;
  auto* points = static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(cert.x509(), NID_crl_distribution_points, nullptr, nullptr));
  if (points == nullptr) return out;
  for (int i = 0; i < sk_DIST_POINT_num(points); ++i) {
    DIST_POINT* point = sk_DIST_POINT_value(points, i);
    if (point->distpoint == nullptr || point->distpoint->type != 0) continue;
    GENERAL_NAMES* names = point->distpoint->name.fullname;
    for (int k = 0; k < sk_GENERAL_NAME_num(names); ++k) {
      GENERAL_NAME* name = sk_GENERAL_NAME_value(names, k);
      if (name->type != GEN_URI) continue;
      const auto* uri = name->d.uniformResourceIdentifier;
      std::string url(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      static_cast<size_t>(ASN1_STRING_length(uri)));
      if (IsHttp(url)) out.push_back(std::move(url));
    }
  }
  CRL_DIST_POINTS_free(points);
  return out;
}

}  // namespace

OnlineRevocationSource::OnlineRevocationSource(OnlineSourceOptions options,
                                               std::unique_ptr<EvidenceStore> store)
    : options_(std::move(options)),
      store_(std::move(store)),
      memory_(options_.memory_entries),
      io_(options_.io_threads, std::numeric_limits<size_t>::max()) {}

OnlineRevocationSource::~OnlineRevocationSource() = default;

void OnlineRevocationSource::ScheduleRefresh(const std::string& key, const RevocationQuery& query) {
  {
    absl::MutexLock lock(&refresh_mu_);
    if (!refresh_scheduled_.insert(key).second) return;
  }
  io_.Submit([this, key, cert = query.cert, issuer = query.issuer] {
    // The service's clock, now: the answer must be fresh when it replaces the old one.
    const RevocationQuery fresh{cert, issuer, absl::Now()};
    flights_.Do(key, [&] { return FetchOcsp(fresh, key); }).IgnoreError();
    refreshes_.fetch_add(1, std::memory_order_relaxed);
    absl::MutexLock lock(&refresh_mu_);
    refresh_scheduled_.erase(key);
  });
}

std::optional<RevocationReport> OnlineRevocationSource::TryCached(const RevocationQuery& query) {
  if (auto hit = Lookup(OcspKey(*query.cert, *query.issuer), query.now)) {
    RevocationReport evidence = hit->evidence;
    evidence.from_cache = true;
    return evidence;
  }
  if (auto hit = Lookup(CrlKey(*query.issuer), query.now)) {
    absl::StatusOr<RevocationReport> evidence =
        hit->crl->StatusOf(*query.cert, query.now, options_.clock_skew);
    if (evidence.ok()) {
      evidence->url = hit->evidence.url;
      evidence->from_cache = true;
      return *evidence;
    }
  }
  return std::nullopt;
}

void OnlineRevocationSource::CheckAsync(
    RevocationQuery query, std::function<void(absl::StatusOr<RevocationReport>)> done) {
  io_.Submit([this, query = std::move(query), done = std::move(done)] { done(Check(query)); });
}

// A configured override for `issuer`: by its full subject, then by its CN.
static std::optional<std::string> Override(const std::map<std::string, std::string>& overrides,
                                           const Certificate& issuer) {
  auto it = overrides.find(issuer.subject());
  if (it == overrides.end()) {
    const size_t cn = issuer.subject().find("CN=");
    if (cn != std::string::npos) {
      const size_t end = issuer.subject().find(',', cn);
      it = overrides.find(issuer.subject().substr(cn + 3, end - cn - 3));
    }
  }
  if (it == overrides.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> OnlineRevocationSource::OcspUrls(const Certificate& cert,
                                                          const Certificate& issuer) const {
  std::vector<std::string> out;
  if (auto url = Override(options_.ocsp_overrides, issuer)) return {*url};
  STACK_OF(OPENSSL_STRING)* aia = X509_get1_ocsp(cert.x509());  // owned; freed below
  for (int i = 0; i < sk_OPENSSL_STRING_num(aia); ++i) {
    std::string url = sk_OPENSSL_STRING_value(aia, i);
    if (IsHttp(url)) out.push_back(std::move(url));  // never ldap:, file:, ...
  }
  X509_email_free(aia);
  return out;
}

absl::StatusOr<std::string> OnlineRevocationSource::Fetch(const std::string& service,
                                                          const HttpFetchRequest& request) {
  const absl::Time start = absl::Now();
  absl::StatusOr<std::string> body = HttpFetch(request);
  absl::MutexLock lock(&stats_mu_);
  FetchStats& stats = fetch_stats_[service];
  ++stats.requests;
  if (!body.ok()) ++stats.errors;
  stats.total_latency += absl::Now() - start;
  return body;
}

absl::Time OnlineRevocationSource::ExpiryOf(const RevocationReport& evidence,
                                            absl::Time fetched) const {
  absl::Time expires = fetched + options_.max_age;
  if (evidence.next_update) expires = std::min(expires, *evidence.next_update);
  return expires;
}

std::optional<OnlineRevocationSource::Cached> OnlineRevocationSource::Lookup(const std::string& key,
                                                                             absl::Time now) {
  std::optional<Cached> hit = memory_.Get(key);
  if (hit && hit->expires >= now) return hit;
  return std::nullopt;
}

absl::StatusOr<RevocationReport> OnlineRevocationSource::Check(const RevocationQuery& query) {
  const std::string key = OcspKey(*query.cert, *query.issuer);
  if (auto hit = Lookup(key, query.now)) {
    memory_hits_.fetch_add(1, std::memory_order_relaxed);
    const int uses = hit->uses->fetch_add(1, std::memory_order_relaxed) + 1;
    if (options_.refresh_ahead > absl::ZeroDuration() && uses >= options_.refresh_after_uses &&
        hit->expires - query.now < options_.refresh_ahead) {
      ScheduleRefresh(key, query);
    }
    RevocationReport evidence = hit->evidence;
    evidence.from_cache = true;
    return evidence;
  }
  absl::StatusOr<RevocationReport> ocsp = flights_.Do(key, [&] { return CheckOcsp(query, key); });
  if (ocsp.ok() && ocsp->status != RevocationStatus::kUnknown) return ocsp;
  if (!options_.crl_fallback) return ocsp;
  absl::StatusOr<RevocationReport> crl = CheckCrl(query);
  if (crl.ok()) return crl;
  // Neither gave usable evidence: report why OCSP failed, the primary source.
  if (ocsp.ok()) return ocsp;  // unknown
  return absl::Status(ocsp.status().code(),
                      absl::StrCat(ocsp.status().message(), "; CRL: ", crl.status().message()));
}

absl::StatusOr<RevocationReport> OnlineRevocationSource::CheckOcsp(const RevocationQuery& query,
                                                                   const std::string& key) {
  // A second look inside the flight: a leader that finished just before may have filled it.
  if (auto hit = Lookup(key, query.now)) {
    RevocationReport evidence = hit->evidence;
    evidence.from_cache = true;
    return evidence;
  }
  const revocation::OcspCheckOptions check{query.now, options_.clock_skew};
  if (store_ != nullptr) {
    absl::StatusOr<std::optional<StoredEvidence>> stored = store_->Get(key, query.now);
    if (stored.ok() && stored->has_value()) {
      absl::StatusOr<RevocationReport> evidence =
          revocation::CheckOcspResponse((*stored)->der, *query.cert, *query.issuer, check);
      if (evidence.ok() && evidence->status != RevocationStatus::kUnknown) {
        persistent_hits_.fetch_add(1, std::memory_order_relaxed);
        evidence->url = (*stored)->url;
        memory_.Put(key, Cached{*evidence, nullptr, (*stored)->expires_at});
        evidence->from_cache = true;
        return evidence;
      }
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return FetchOcsp(query, key);
}

absl::StatusOr<RevocationReport> OnlineRevocationSource::FetchOcsp(const RevocationQuery& query,
                                                                   const std::string& key) {
  const revocation::OcspCheckOptions check{query.now, options_.clock_skew};
  const std::vector<std::string> urls = OcspUrls(*query.cert, *query.issuer);
  if (urls.empty()) return absl::NotFoundError("the certificate names no OCSP responder");
  absl::StatusOr<std::string> request = revocation::BuildOcspRequest(
      *query.cert, *query.issuer, {options_.nonce, DigestAlgorithm::kSha1});
  if (!request.ok()) return request.status();
  absl::Status last = absl::UnavailableError("no OCSP responder answered");
  for (const std::string& url : urls) {
    // RFC 5019 5: GET when the base64 request is short enough, so HTTP caches can help; POST
    // otherwise.
    const std::string encoded = absl::Base64Escape(*request);
    HttpFetchRequest http;
    http.total_timeout = options_.ocsp_timeout;
    http.connect_timeout = std::min(options_.ocsp_timeout, absl::Seconds(2));
    http.max_bytes = options_.ocsp_max_bytes;
    if (encoded.size() < 255 && !options_.nonce) {
      http.url =
          absl::StrCat(url, url.back() == '/' ? "" : "/",
                       absl::StrReplaceAll(encoded, {{"+", "%2B"}, {"/", "%2F"}, {"=", "%3D"}}));
    } else {
      http.url = url;
      http.post_body = *request;
      http.content_type = "application/ocsp-request";
    }
    absl::StatusOr<std::string> body = Fetch(url, http);
    if (!body.ok()) {
      last = body.status();
      continue;
    }
    absl::StatusOr<RevocationReport> evidence =
        revocation::CheckOcspResponse(*body, *query.cert, *query.issuer, check);
    if (!evidence.ok()) {
      last = absl::Status(evidence.status().code(),
                          absl::StrCat(url, ": ", evidence.status().message()));
      continue;
    }
    evidence->url = url;
    if (evidence->status != RevocationStatus::kUnknown) {
      const absl::Time expires = ExpiryOf(*evidence, query.now);
      memory_.Put(key, Cached{*evidence, nullptr, expires});
      if (store_ != nullptr) {
        // A failed write costs persistence, not the answer.
        store_->Put({key, RevocationSourceKind::kOcsp, url, *body, query.now, expires})
            .IgnoreError();
      }
    }
    return evidence;
  }
  return last;
}

absl::StatusOr<RevocationReport> OnlineRevocationSource::CheckCrl(const RevocationQuery& query) {
  const std::string key = CrlKey(*query.issuer);
  std::optional<Cached> hit = Lookup(key, query.now);
  bool from_cache = hit.has_value();
  if (!hit) {
    absl::StatusOr<RevocationReport> loaded =
        flights_.Do(key, [&]() -> absl::StatusOr<RevocationReport> {
          if (Lookup(key, query.now)) return RevocationReport{};
          if (store_ != nullptr) {
            auto stored = store_->Get(key, query.now);
            if (stored.ok() && stored->has_value()) {
              auto crl = revocation::Crl::ParseAndVerify((*stored)->der, *query.issuer);
              if (crl.ok()) {
                persistent_hits_.fetch_add(1, std::memory_order_relaxed);
                RevocationReport origin;
                origin.url = (*stored)->url;
                memory_.Put(key, Cached{origin, *crl, (*stored)->expires_at});
                return RevocationReport{};
              }
            }
          }
          misses_.fetch_add(1, std::memory_order_relaxed);
          const std::optional<std::string> override_url =
              Override(options_.crl_overrides, *query.issuer);
          const std::vector<std::string> urls =
              override_url ? std::vector<std::string>{*override_url} : CrlUrls(*query.cert);
          if (urls.empty()) return absl::NotFoundError("the certificate names no CRL");
          absl::Status last = absl::UnavailableError("no CRL could be fetched");
          for (const std::string& url : urls) {
            HttpFetchRequest http;
            http.url = url;
            http.total_timeout = options_.crl_timeout;
            http.connect_timeout = std::min(options_.crl_timeout, absl::Seconds(2));
            http.max_bytes = options_.crl_max_bytes;
            absl::StatusOr<std::string> body = Fetch(url, http);
            if (!body.ok()) {
              last = body.status();
              continue;
            }
            auto crl = revocation::Crl::ParseAndVerify(*body, *query.issuer);
            if (!crl.ok()) {
              last = absl::Status(crl.status().code(),
                                  absl::StrCat(url, ": ", crl.status().message()));
              continue;
            }
            absl::Time expires = query.now + options_.max_age;
            if ((*crl)->next_update()) expires = std::min(expires, *(*crl)->next_update());
            RevocationReport origin;
            origin.url = url;
            memory_.Put(key, Cached{origin, *crl, expires});
            if (store_ != nullptr) {
              store_->Put({key, RevocationSourceKind::kCrl, url, *body, query.now, expires})
                  .IgnoreError();
            }
            RevocationReport fetched;
            fetched.status = RevocationStatus::kGood;  // marks "fetched now" for the caller
            return fetched;
          }
          return last;
        });
    if (!loaded.ok()) return loaded.status();
    from_cache = loaded->status != RevocationStatus::kGood;
    hit = Lookup(key, query.now);
    if (!hit) return absl::UnavailableError("the CRL expired while it was loaded");
  } else {
    memory_hits_.fetch_add(1, std::memory_order_relaxed);
  }
  absl::StatusOr<RevocationReport> evidence =
      hit->crl->StatusOf(*query.cert, query.now, options_.clock_skew);
  if (evidence.ok()) {
    evidence->url = hit->evidence.url;
    evidence->from_cache = from_cache;
  }
  return evidence;
}

std::map<std::string, FetchStats> OnlineRevocationSource::fetch_stats() const {
  absl::MutexLock lock(&stats_mu_);
  return fetch_stats_;
}

CacheStats OnlineRevocationSource::cache_stats() const {
  return {memory_hits_.load(), persistent_hits_.load(), misses_.load()};
}

}  // namespace kyso
