/**
 * The data in config/versions/ compared with what AWS answers for an account and region today
 * (`aws eks describe-cluster-versions`, `aws eks describe-addon-versions`, `aws rds
 * describe-db-engine-versions`). Pure: scripts/check-versions-aws.ts runs the AWS CLI and passes
 * its JSON here. Every line says what differs and what to write into which file.
 */
import { EKS_DEFAULT_ADDON_VERSION, EKS_KUBERNETES_VERSIONS } from '../../config/versions/eks-kubernetes-versions.ts';
import { parseEngineVersion, RDS_POSTGRES_MAJORS } from '../../config/versions/rds-postgres-versions.ts';

/** One entry of `aws eks describe-cluster-versions` (the fields this comparison reads). */
export interface AwsClusterVersion {
  readonly clusterVersion: string;
  readonly status?: string;
  readonly endOfStandardSupportDate?: string;
  readonly endOfExtendedSupportDate?: string;
}

export interface AwsAnswers {
  readonly clusterVersions: readonly AwsClusterVersion[];
  /** Kubernetes version -> the aws-ebs-csi-driver version EKS marks default (describe-addon-versions) */
  readonly ebsCsiDefaults: Readonly<Record<string, string | undefined>>;
  /** PostgreSQL major -> the engine versions RDS lists for it (describe-db-engine-versions) */
  readonly rdsEngineVersions: Readonly<Record<string, readonly string[]>>;
}

export interface Finding {
  readonly ok: boolean;
  readonly message: string;
}

const EKS_FILE = 'config/versions/eks-kubernetes-versions.ts';
const RDS_FILE = 'config/versions/rds-postgres-versions.ts';

/** AWS answers instants with an offset ("2025-11-25T16:00:00-08:00"); the table holds the UTC day. */
export function awsUtcDay(instant: string): string {
  const parsed = new Date(instant);
  if (Number.isNaN(parsed.getTime())) throw new Error(`AWS returned a date that is not one: ${JSON.stringify(instant)}`);
  return parsed.toISOString().slice(0, 10);
}

function compareEks(answers: AwsAnswers): Finding[] {
  const findings: Finding[] = [];
  const fromAws = new Map(answers.clusterVersions.map((v) => [v.clusterVersion, v]));
  for (const [version, entry] of Object.entries(EKS_KUBERNETES_VERSIONS)) {
    const aws = fromAws.get(version);
    if (!aws) {
      findings.push({ ok: true, message: `EKS ${version}: not offered any more (past extended support); the table may keep it, the check refuses it` });
      continue;
    }
    const standard = aws.endOfStandardSupportDate === undefined ? undefined : awsUtcDay(aws.endOfStandardSupportDate);
    const extended = aws.endOfExtendedSupportDate === undefined ? undefined : awsUtcDay(aws.endOfExtendedSupportDate);
    if (standard === entry.standardSupportEnd && extended === entry.extendedSupportEnd) {
      findings.push({ ok: true, message: `EKS ${version}: standard support until ${standard}, extended until ${extended} (${aws.status ?? 'status not given'}), as recorded` });
    } else {
      findings.push({
        ok: false,
        message: `EKS ${version}: AWS says standard support ends ${standard ?? '(not given)'}, extended ${extended ?? '(not given)'}; ${EKS_FILE} has ${entry.standardSupportEnd ?? '(none)'}, ${entry.extendedSupportEnd ?? '(none)'}: update the line and its source`,
      });
    }
    const addon = answers.ebsCsiDefaults[version];
    if (entry.ebsCsiAddon !== EKS_DEFAULT_ADDON_VERSION && addon !== undefined && addon !== entry.ebsCsiAddon) {
      findings.push({ ok: true, message: `EKS ${version}: aws-ebs-csi-driver pinned to ${entry.ebsCsiAddon}; EKS's default is now ${addon} (a newer pin is a data change)` });
    } else if (entry.ebsCsiAddon === EKS_DEFAULT_ADDON_VERSION && addon !== undefined) {
      findings.push({ ok: true, message: `EKS ${version}: aws-ebs-csi-driver follows EKS's default, today ${addon} (pin it in ${EKS_FILE} to freeze it)` });
    }
  }
  for (const aws of answers.clusterVersions) {
    if (!Object.hasOwn(EKS_KUBERNETES_VERSIONS, aws.clusterVersion)) {
      findings.push({ ok: false, message: `EKS ${aws.clusterVersion}: offered by AWS (${aws.status ?? 'status not given'}) but not in ${EKS_FILE}: add it with its dates and add-on` });
    }
  }
  return findings;
}

function compareRds(answers: AwsAnswers): Finding[] {
  const findings: Finding[] = [];
  for (const [major, entry] of Object.entries(RDS_POSTGRES_MAJORS)) {
    const listed = answers.rdsEngineVersions[major] ?? [];
    const minors = listed.map((v) => parseEngineVersion(v)).filter((v): v is { major: string; minor: number } => v?.minor !== undefined && v.major === major);
    if (minors.length === 0) {
      findings.push({ ok: false, message: `RDS PostgreSQL ${major}: AWS lists no creatable version in this region; ${RDS_FILE} says from ${entry.oldestCreatableMinor}` });
      continue;
    }
    const oldest = Math.min(...minors.map((v) => v.minor));
    const newest = Math.max(...minors.map((v) => v.minor));
    const floor = parseEngineVersion(entry.oldestCreatableMinor)!.minor!;
    if (oldest < floor) findings.push({ ok: true, message: `RDS PostgreSQL ${major}: AWS still lists ${major}.${oldest} (below the recorded floor ${entry.oldestCreatableMinor}, which stays on the safe side)` });
    else if (oldest > floor) findings.push({ ok: false, message: `RDS PostgreSQL ${major}: AWS creates ${major}.${oldest} and later; ${RDS_FILE} says ${entry.oldestCreatableMinor}: raise the floor with its source` });
    findings.push({ ok: true, message: `RDS PostgreSQL ${major}: creatable minors ${major}.${oldest} to ${major}.${newest}` });
  }
  return findings;
}

export function compareWithAws(answers: AwsAnswers): Finding[] {
  return [...compareEks(answers), ...compareRds(answers)];
}
