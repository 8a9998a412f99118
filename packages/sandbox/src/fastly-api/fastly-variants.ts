/** The answers of the fake Fastly API that the evidence leaves open, switchable per test. */

/**
 * Answers the references do not settle; the fake gives one of each, so the adapter can be tested
 * under every one.
 */
export interface FastlyApiVariants {
  /**
   * What happens to a deleted service: `removed` (search answers 400, as for a name never used), or
   * `kept` (search, `GET /service/{id}` and `details` still return it, with `deleted_at` set).
   * @default 'removed'
   */
  deletedServices: 'removed' | 'kept';
  /**
   * The `detail` of the 400 a domain create gets when another service of the same customer holds
   * the domain: `names-service` names that service's id; `generic` does not.
   * @default 'generic'
   */
  domainTakenDetail: 'names-service' | 'generic';
  /**
   * The status of a write to a locked (or active) version: 422 "Version locked", as recorded in
   * fastly/go-fastly `fastly/fixtures/tls_subscription/compute/cleanup.yaml`, or 400.
   * @default 422
   */
  lockedVersionStatus: 422 | 400;
  /**
   * Whether `/tls/*` write answers carry `Fastly-RateLimit-*` headers; go-fastly's recorded
   * `POST /tls/subscriptions` (`fastly/fixtures/tls_subscription/create.yaml`) has none.
   * @default false
   */
  tlsRateLimitHeaders: boolean;
  /**
   * What a subscription whose domains change (`PATCH /tls/subscriptions/{id}`) serves until the
   * new certificate is issued: `kept`, the issued certificate goes on covering its domains (the
   * `force` flag's documented warning names only a removed domain: "removing an active domain
   * from a subscription … may result in breaking TLS termination to that domain", Fastly API
   * reference, TLS subscriptions, `force`); or `dropped`, every domain loses TLS until the new
   * certificate is issued. Nothing recorded settles it (go-fastly's update cassette patches a
   * subscription that had no certificate yet).
   * @default 'kept'
   */
  certificateDuringReissue: 'kept' | 'dropped';
  /**
   * Which challenges a subscription's `tls_authorization` lists: `listed`, `managed-dns` with the
   * serving ones, `managed-http-cname` (the host's CNAME target, the TLS configuration's) and
   * `managed-http-a`, as go-fastly's recorded `POST /tls/subscriptions` answers them
   * (`fastly/fixtures/tls_subscription/create.yaml`) and as the Fastly Heroku plugin reads them for
   * an issued subscription (fastly/heroku-fastly `commands/verify.js`); or `dns-only`, only
   * `managed-dns`. No recording shows a list with `include=tls_authorizations` after issuance.
   * @default 'listed'
   */
  servingChallenges: 'listed' | 'dns-only';
}

/** The default variants: the recorded answer where there is one. */
export const defaultFastlyApiVariants: Readonly<FastlyApiVariants> = { deletedServices: 'removed', domainTakenDetail: 'generic', lockedVersionStatus: 422, tlsRateLimitHeaders: false, certificateDuringReissue: 'kept', servingChallenges: 'listed' };
