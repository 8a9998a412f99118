// tsyringe, which @peculiar/x509 uses, needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** What to put in a certificate issued by a {@link CertificateAuthority}. */
export interface CertificateRequest {
  /** DNS names for the subjectAltName extension; the first is also the subject common name. */
  readonly names: readonly string[];
  /** Start of validity; defaults to one hour before now. */
  readonly notBefore?: Date;
  /** End of validity; defaults to 90 days after now. */
  readonly notAfter?: Date;
}

/** A certificate and its private key, both PEM-encoded. */
export interface IssuedCertificate {
  /** The private key, PEM PKCS#8. */
  readonly key: string;
  /** The leaf certificate, PEM (the chain is just the leaf: the root is the trust anchor). */
  readonly certificate: string;
  /** The DNS names in the certificate. */
  readonly names: readonly string[];
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
  /** Serial number, hexadecimal. */
  readonly serialNumber: string;
  /**
   * The intermediate certificates between the leaf and the root, PEM, when an intermediate
   * issued it. A server that sends only {@link IssuedCertificate.certificate} sends an incomplete
   * chain; `certificate + chain` is the full one.
   */
  readonly chain?: string;
}

/** A certificate authority that issues TLS server certificates on demand. */
export interface CertificateAuthority {
  /** The authority's display name (the root certificate's common name). */
  readonly name: string;
  /** The root certificate, PEM. Give it to a TLS client as `ca` to trust this authority. */
  readonly certificate: string;
  /** Issues a server certificate for `request.names`, signed by this authority's root. */
  issue(request: CertificateRequest): Promise<IssuedCertificate>;
  /**
   * Creates an intermediate authority under this root, as public CAs issue through (Let's
   * Encrypt's R-series, for instance). Its leaves name it as issuer, point at it with an
   * Authority Information Access "CA Issuers" URL, and carry it in {@link IssuedCertificate.chain};
   * `certificate` stays the root's, the only one a client trusts.
   */
  createIntermediate(name?: string): Promise<CertificateAuthority>;
}

/** Options for {@link createCertificateAuthority}. */
export interface CertificateAuthorityOptions {
  /** Common name of the root certificate; default "sslclick sandbox root". */
  readonly name?: string;
  /** Clock for default validity windows (milliseconds since the epoch); default `Date.now`. */
  readonly now?: () => number;
}

const signingAlgorithm: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
};

const hourMilliseconds = 60 * 60 * 1000;
const dayMilliseconds = 24 * hourMilliseconds;
const rootValidityMilliseconds = 10 * 365 * dayMilliseconds;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  // Keep the serial positive in its DER encoding.
  bytes[0] = (bytes[0] ?? 0) & 0x7f | 0x01;
  return bytes.toString('hex');
}

function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(signingAlgorithm, true, ['sign', 'verify']);
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function escapeDistinguishedNameValue(value: string): string {
  return value.replace(/([,+"\\<>;=#])/g, '\\$1');
}

/**
 * Creates a new certificate authority with a fresh ECDSA P-256 root.
 *
 * Every authority is independent: a certificate issued by one is not trusted by a client that
 * trusts only another, which is how tests model a certificate from an untrusted root.
 */
export async function createCertificateAuthority(
  options: CertificateAuthorityOptions = {},
): Promise<CertificateAuthority> {
  const name = options.name ?? 'sslclick sandbox root';
  const now = options.now ?? Date.now;
  const rootKeys = await generateKeyPair();
  const startedAt = now();
  const rootCertificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: `CN=${escapeDistinguishedNameValue(name)}, O=sslclick sandbox`,
    notBefore: new Date(startedAt - dayMilliseconds),
    notAfter: new Date(startedAt + rootValidityMilliseconds),
    signingAlgorithm,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  interface Issuer {
    readonly subject: string;
    readonly keys: webcrypto.CryptoKeyPair;
    /** Where a client can fetch the issuer's certificate (intermediates only). */
    readonly caIssuersUrl?: string;
    /** The issuer's own certificate, PEM, sent as the chain (intermediates only). */
    readonly chain?: string;
  }

  async function issueFrom(issuer: Issuer, request: CertificateRequest): Promise<IssuedCertificate> {
    const names = request.names.map((entry) => entry.toLowerCase());
    const commonName = names[0];
    if (commonName === undefined) {
      throw new TypeError('A certificate needs at least one name.');
    }
    const issuedAt = now();
    const notBefore = request.notBefore ?? new Date(issuedAt - hourMilliseconds);
    const notAfter = request.notAfter ?? new Date(issuedAt + 90 * dayMilliseconds);
    const leafKeys = await generateKeyPair();
    const serialNumber = randomSerialNumber();
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber,
      subject: `CN=${escapeDistinguishedNameValue(commonName)}`,
      issuer: issuer.subject,
      notBefore,
      notAfter,
      signingAlgorithm,
      publicKey: leafKeys.publicKey,
      signingKey: issuer.keys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))),
        await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
        ...(issuer.caIssuersUrl ? [new x509.AuthorityInfoAccessExtension({ caIssuers: [new x509.GeneralName('url', issuer.caIssuersUrl)] })] : []),
      ],
    });
    return {
      key: await privateKeyPem(leafKeys.privateKey),
      certificate: leaf.toString('pem'),
      names,
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      serialNumber,
      ...(issuer.chain ? { chain: issuer.chain } : {}),
    };
  }

  const root: Issuer = { subject: rootCertificate.subject, keys: rootKeys };
  let intermediates = 0;

  async function createIntermediate(intermediateName?: string): Promise<CertificateAuthority> {
    intermediates += 1;
    const commonName = intermediateName ?? `${name} intermediate ${intermediates}`;
    const keys = await generateKeyPair();
    const intermediate = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerialNumber(),
      subject: `CN=${escapeDistinguishedNameValue(commonName)}, O=sslclick sandbox`,
      issuer: rootCertificate.subject,
      notBefore: new Date(startedAt - dayMilliseconds),
      notAfter: new Date(startedAt + rootValidityMilliseconds / 2),
      signingAlgorithm,
      publicKey: keys.publicKey,
      signingKey: rootKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    const issuer: Issuer = {
      subject: intermediate.subject,
      keys,
      caIssuersUrl: `http://ca.sandbox.test/intermediate-${intermediates}.der`,
      chain: intermediate.toString('pem'),
    };
    return {
      name: commonName,
      certificate: rootCertificate.toString('pem'),
      issue: (request) => issueFrom(issuer, request),
      createIntermediate,
    };
  }

  return { name, certificate: rootCertificate.toString('pem'), issue: (request) => issueFrom(root, request), createIntermediate };
}
