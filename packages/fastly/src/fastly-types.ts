/** The parts of Fastly's REST responses that the adapter reads (see the Fastly API reference). */

/** A service version, as in `GET /service/{id}` `versions[]`. */
export interface FastlyVersion {
  number: number;
  active: boolean;
  locked: boolean;
  comment?: string;
}

/** `GET /service/{id}` and `GET /service/search`. */
export interface FastlyService {
  id: string;
  name: string;
  type: 'vcl' | 'wasm';
  comment: string;
  customer_id?: string;
  created_at?: string;
  /** Set on a deleted service that Fastly still returns; such a service is never reused. */
  deleted_at?: string | null;
  versions: FastlyVersion[];
}

export interface FastlyDomain {
  name: string;
  comment?: string;
}

/** One entry of `GET /service/{id}/domain`: a domain on any version of the service. */
export interface FastlyServiceDomain extends FastlyDomain {
  service_id?: string;
  version?: number;
  deleted_at?: string | null;
}

export interface FastlyBackend {
  name: string;
  address: string | null;
  hostname?: string | null;
  port: number;
  use_ssl: boolean;
  ssl_cert_hostname: string | null;
  ssl_sni_hostname: string | null;
  ssl_check_cert: boolean | null;
  override_host: string | null;
}

export interface FastlySnippet {
  name: string;
  type: string;
  content: string;
  dynamic: string | number;
  priority: string | number;
}

/** A version with its configuration, as in `GET /service/{id}/details`. */
export interface FastlyVersionDetail extends FastlyVersion {
  domains: FastlyDomain[];
  backends: FastlyBackend[];
  snippets?: FastlySnippet[];
}

/** `GET /service/{id}/details`. */
export interface FastlyServiceDetail extends FastlyService {
  active_version: FastlyVersionDetail | null;
  version: FastlyVersionDetail | null;
}

/** `GET /service/{id}/version/{v}/package`. */
export interface FastlyPackage {
  id: string;
  metadata: { name?: string; files_hash?: string; hashsum?: string; size?: number };
}

/** The states of a Fastly TLS subscription. */
export type FastlySubscriptionState = 'pending' | 'processing' | 'issued' | 'renewing' | 'failed';

/** One JSON:API resource. */
export interface JsonApiResource<Attributes> {
  id: string;
  type: string;
  attributes: Attributes;
  relationships?: Record<string, { data?: { id: string; type: string } | Array<{ id: string; type: string }> | null }>;
}

export interface TlsSubscriptionAttributes {
  certificate_authority: string;
  state: FastlySubscriptionState;
  created_at?: string;
  updated_at?: string;
}

export interface TlsChallenge {
  type: string;
  record_type: string;
  record_name: string;
  values: string[];
}

export interface TlsAuthorizationAttributes {
  challenges: TlsChallenge[];
  state?: string;
}

export interface DnsRecordAttributes {
  record_type: string;
  region?: string;
}

/** A JSON:API document. */
export interface JsonApiDocument<Data> {
  data: Data;
  included?: Array<JsonApiResource<Record<string, unknown>>>;
}
