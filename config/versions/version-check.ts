/**
 * The versions a stack asks for, checked against the data in config/versions/ on the day the
 * check runs: `paddock synth`, `paddock plan` and the Pulumi program call it with their clock
 * (tests pass a date). It reads the clock only through `today`, so rendered output never
 * depends on the day. Warnings name what will cost money or stop working soon; errors name
 * what AWS no longer creates, or what Paddock has no data for.
 */
import type { ConfigProblem } from '../errors.ts';
import type { PlatformSettings } from '../platform-spec.ts';
import { daysUntil, supportStateOn, utcDay } from './calendar.ts';
import { DEFAULT_KIND_NODE } from './container-images.ts';
import { DEFAULT_EKS_KUBERNETES_VERSION, eksSupportWindow, knownEksVersions } from './eks-kubernetes-versions.ts';
import { isBelowCreatableFloor, parseEngineVersion, rdsPostgresMajor, RDS_POSTGRES_MAJORS } from './rds-postgres-versions.ts';

export interface VersionFindings {
  readonly warnings: readonly ConfigProblem[];
  readonly errors: readonly ConfigProblem[];
}

/** Warn this many days before a version leaves standard support (EKS announces it at least 60 days ahead). */
export const STANDARD_SUPPORT_NOTICE_DAYS = 60;

const EKS_DATA = 'config/versions/eks-kubernetes-versions.ts';
const RDS_DATA = 'config/versions/rds-postgres-versions.ts';
const K8S_PATH = ['paddock:platform', 'eks', 'kubernetesVersion'] as const;
const ENGINE_PATH = ['paddock:platform', 'database', 'engineVersion'] as const;
const KIND_IMAGE_PATH = ['paddock:platform', 'kind', 'nodeImage'] as const;

/** The newest version in standard support on `today`, to name in messages. */
export function newestInStandardSupport(today: Date): string | undefined {
  return knownEksVersions()
    .filter((v) => supportStateOn(eksSupportWindow(v), today) === 'standard')
    .at(-1);
}

function checkKubernetesVersion(version: string, today: Date, warnings: ConfigProblem[], errors: ConfigProblem[]): void {
  const known = knownEksVersions();
  const target = newestInStandardSupport(today);
  const upgrade = target === undefined ? `every version in ${EKS_DATA} is past standard support on ${utcDay(today)}: add the current ones from the EKS release calendar` : `use "${target}"`;
  if (!known.includes(version)) {
    errors.push({ path: K8S_PATH, message: `"${version}" is not a Kubernetes version Paddock knows on EKS (${known.join(', ')}; ${EKS_DATA}); ${upgrade}` });
    return;
  }
  const window = eksSupportWindow(version);
  const state = supportStateOn(window, today);
  if (state === 'unknown' || window === undefined) {
    errors.push({ path: K8S_PATH, message: `"${version}" has no confirmed EKS support dates in ${EKS_DATA}: add its end of standard and extended support from the EKS release calendar (\`aws eks describe-cluster-versions\`), or ${upgrade}` });
  } else if (state === 'unsupported') {
    errors.push({ path: K8S_PATH, message: `"${version}" is past EKS extended support since ${window.extendedSupportEnd}: EKS no longer creates clusters on it and upgrades existing ones by itself; ${upgrade}` });
  } else if (state === 'extended') {
    warnings.push({ path: K8S_PATH, message: `"${version}" is past EKS standard support since ${window.standardSupportEnd}: the cluster runs on extended support (billed per cluster hour) until ${window.extendedSupportEnd}; ${upgrade}` });
  } else {
    const days = daysUntil(window.standardSupportEnd, today);
    if (days <= STANDARD_SUPPORT_NOTICE_DAYS) {
      warnings.push({ path: K8S_PATH, message: `"${version}" leaves EKS standard support on ${window.standardSupportEnd} (in ${days} day(s)); on that day EKS upgrades the control plane to the next version by itself (upgrade policy STANDARD): upgrade before then` });
    }
  }
}

function checkEngineVersion(database: Extract<PlatformSettings['database'], { mode: 'external' }>, today: Date, errors: ConfigProblem[], warnings: ConfigProblem[]): void {
  const parsed = parseEngineVersion(database.engineVersion);
  if (!parsed) {
    errors.push({ path: ENGINE_PATH, message: `"${database.engineVersion}" is not a PostgreSQL engine version (a major such as "17", or a minor such as "17.7")` });
    return;
  }
  const major = rdsPostgresMajor(parsed.major);
  if (!major) {
    errors.push({ path: ENGINE_PATH, message: `PostgreSQL ${parsed.major} is not a major version Paddock creates on RDS (${Object.keys(RDS_POSTGRES_MAJORS).join(', ')}; ${RDS_DATA})` });
    return;
  }
  if (isBelowCreatableFloor(parsed, major)) {
    const blocked = utcDay(today) >= major.olderMinorsBlockedFrom;
    const message = `"${database.engineVersion}" ${blocked ? 'can no longer be created' : 'can no longer be created from ' + major.olderMinorsBlockedFrom} on RDS: AWS creates PostgreSQL ${parsed.major} from ${major.oldestCreatableMinor} on (${RDS_DATA}); use "${parsed.major}" or a minor from ${major.oldestCreatableMinor}`;
    (blocked ? errors : warnings).push({ path: ENGINE_PATH, message });
  }
  if (parsed.minor !== undefined && database.autoMinorVersionUpgrade) {
    errors.push({
      path: ENGINE_PATH,
      message: `"${database.engineVersion}" pins a minor version while autoMinorVersionUpgrade is on: RDS upgrades the instance in its maintenance window and the next \`pulumi up\` would try to take it back; use "${parsed.major}" (RDS's current minor, kept current), or set database.autoMinorVersionUpgrade: false`,
    });
  }
}

/** kind runs what EKS runs: the node image of the EKS default's minor, by digest (kind's own advice). */
function checkKindNodeImage(image: string, warnings: ConfigProblem[]): void {
  const minor = /^(?:docker\.io\/)?kindest\/node:v(1\.\d+)\.\d+/.exec(image)?.[1];
  const recommended = `"${DEFAULT_KIND_NODE.image}" (kind ${DEFAULT_KIND_NODE.kindRelease})`;
  if (minor !== undefined && minor !== DEFAULT_EKS_KUBERNETES_VERSION) {
    warnings.push({ path: KIND_IMAGE_PATH, message: `runs Kubernetes ${minor} while EKS stacks default to ${DEFAULT_EKS_KUBERNETES_VERSION}: local and production behave differently; use ${recommended}` });
  } else if (minor !== undefined && !image.includes('@sha256:')) {
    warnings.push({ path: KIND_IMAGE_PATH, message: `"${image}" is not pinned by digest: kind supports a node image with the kind release it was built for; use ${recommended}` });
  }
}

export function checkVersions(platform: PlatformSettings, today: Date): VersionFindings {
  const warnings: ConfigProblem[] = [];
  const errors: ConfigProblem[] = [];
  if (platform.eks) checkKubernetesVersion(platform.eks.kubernetesVersion, today, warnings, errors);
  if (platform.kind) checkKindNodeImage(platform.kind.nodeImage, warnings);
  if (platform.database.mode === 'external') checkEngineVersion(platform.database, today, errors, warnings);
  return { warnings, errors };
}
