/**
 * `npm run versions:aws -- --region eu-west-1`: asks AWS (the AWS CLI v2, your credentials)
 * what it offers today and compares it with config/versions/. Exit 0 when the data agrees,
 * 1 when a line needs an edit (each printed with the file to change), 2 when the AWS CLI fails.
 * Reads only: describe-* calls, no resource is created. (ADR 0015, docs/deploying.md "Versions")
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { EKS_KUBERNETES_VERSIONS } from '../config/versions/eks-kubernetes-versions.ts';
import { RDS_POSTGRES_MAJORS } from '../config/versions/rds-postgres-versions.ts';
import { compareWithAws, type AwsClusterVersion } from './versions/compare-with-aws.ts';

function aws(args: readonly string[]): unknown {
  return JSON.parse(execFileSync('aws', [...args, '--output', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as unknown;
}

function main(): number {
  const { values } = parseArgs({ options: { region: { type: 'string' } }, strict: true });
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    process.stderr.write('check-versions-aws: --region REGION is required (or AWS_REGION)\n');
    return 2;
  }
  try {
    const clusterVersions = ((aws(['eks', 'describe-cluster-versions', '--region', region]) as { clusterVersions?: AwsClusterVersion[] }).clusterVersions ?? []).filter((v) => v.clusterVersion !== undefined);
    const ebsCsiDefaults: Record<string, string | undefined> = {};
    for (const version of Object.keys(EKS_KUBERNETES_VERSIONS)) {
      if (!clusterVersions.some((v) => v.clusterVersion === version)) continue;
      const answer = aws(['eks', 'describe-addon-versions', '--region', region, '--addon-name', 'aws-ebs-csi-driver', '--kubernetes-version', version]) as {
        addons?: { addonVersions?: { addonVersion: string; compatibilities?: { defaultVersion?: boolean }[] }[] }[];
      };
      ebsCsiDefaults[version] = answer.addons?.[0]?.addonVersions?.find((v) => v.compatibilities?.some((c) => c.defaultVersion))?.addonVersion;
    }
    // without --include-all, RDS lists only the versions it creates today
    const engines = aws(['rds', 'describe-db-engine-versions', '--region', region, '--engine', 'postgres']) as { DBEngineVersions?: { EngineVersion: string }[] };
    const rdsEngineVersions: Record<string, string[]> = {};
    for (const major of Object.keys(RDS_POSTGRES_MAJORS)) rdsEngineVersions[major] = (engines.DBEngineVersions ?? []).map((v) => v.EngineVersion).filter((v) => v.split('.')[0] === major);
    const findings = compareWithAws({ clusterVersions, ebsCsiDefaults, rdsEngineVersions });
    for (const f of findings) process.stdout.write(`${f.ok ? 'ok  ' : 'EDIT'} ${f.message}\n`);
    return findings.every((f) => f.ok) ? 0 : 1;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    process.stderr.write(`check-versions-aws: the AWS CLI failed: ${stderr?.trim() || (error as Error).message}\n`);
    return 2;
  }
}

process.exitCode = main();
