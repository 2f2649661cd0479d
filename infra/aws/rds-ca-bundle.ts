/**
 * The RDS certificate bundle the runtime verifies its database against (sslmode=verify-full),
 * as data: where AWS publishes it, the sha256 the runtime image build checks (runtime/Dockerfile
 * `ADD --checksum`, a test keeps the two identical), and where it lands in the image.
 *
 * The bundle is public data, but this repository could not download it when the pin was made:
 * the sha256 is that of a copy of global-bundle.pem found in a public repository, 102 "Amazon
 * RDS <region> Root CA {RSA2048,RSA4096,ECC384} G1" certificates (the rds-ca-2019 ones, expired
 * in 2024, no longer in it), and was NOT compared with AWS's live file. If AWS has changed the
 * file since, `docker build` fails with a checksum mismatch — closed, never trusting an
 * unexpected file; check the new file (`curl -fsSL <url> | openssl storeutl -noout -text -certs
 * /dev/stdin`) and update `sha256` and `recordedOn` here and in the Dockerfile together.
 */
export interface CaBundlePin {
  readonly url: string;
  readonly sha256: string;
  /** where the runtime image holds it; DATABASE_URL's sslrootcert */
  readonly pathInImage: string;
  readonly recordedOn: string;
  readonly provenance: string;
}

export const RDS_CA_BUNDLE: CaBundlePin = {
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html (certificate bundles for all AWS Regions)
  url: 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem',
  sha256: '05c6b4a9bf4daa95c888711481e19cc8e2e11aed4de8db759f51f4a6fce64917',
  pathInImage: '/opt/paddock/certs/rds-global-bundle.pem',
  recordedOn: '2026-12-04',
  provenance: 'copy committed to github.com/phenobarbital/asyncdb (blob 6b21384d, March 2026); not checked against the live URL',
};

/**
 * The CA the instance's server certificate chains to (rds.Instance caCertIdentifier); every
 * region's root of this family is in the bundle above.
 */
export const RDS_CA_CERT_IDENTIFIER = 'rds-ca-rsa2048-g1';
