/**
 * The one table of Kubernetes versions on Amazon EKS that Paddock knows: each version's end of
 * standard and of extended support (the EKS release calendar) and the aws-ebs-csi-driver add-on
 * version installed with it. Data only, read by pure functions (supportState, the EBS CSI
 * settings, the version check of `paddock synth`/`plan`); never fetched at synth or run time.
 *
 * Keeping it current: when EKS publishes a version or changes a date, edit this table from
 *   https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar
 *   `aws eks describe-cluster-versions` (endOfStandardSupportDate, endOfExtendedSupportDate)
 *   `aws eks describe-addon-versions --addon-name aws-ebs-csi-driver --kubernetes-version <minor>`
 * and record the source and the day it was read next to the line (ADR 0015).
 */
import { supportStateOn, type SupportState, type SupportWindow } from './calendar.ts';

/**
 * The add-on version is the one EKS marks as the default for the cluster's Kubernetes version,
 * read at deploy time (`aws eks describe-addon-versions ... --query '...defaultVersion'`):
 * used where no exact `vX.Y.Z-eksbuild.N` build could be confirmed for the version.
 */
export const EKS_DEFAULT_ADDON_VERSION = 'eks-default';

export interface EksKubernetesVersion extends Partial<SupportWindow> {
  /** a pinned `vX.Y.Z-eksbuild.N`, or EKS_DEFAULT_ADDON_VERSION */
  readonly ebsCsiAddon: string;
  /** where the dates and the add-on version come from, and when they were read */
  readonly source: string;
}

const CALENDAR_2025 =
  'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar (its source: github.com/awsdocs/amazon-eks-user-guide latest/ug/versioning/kubernetes-versions.adoc at 8596db8), read 2026-12-04';
const CALENDAR_2026 =
  'the EKS release calendar as quoted by https://endoflife.date/amazon-eks and https://aws-samples.github.io/sample-apex-skills/docs/skills/eks-operation-review/references/cluster-lifecycle ("last verified 2026-04-24"); the two agree; read 2026-12-04';

export const EKS_KUBERNETES_VERSIONS: Readonly<Record<string, EksKubernetesVersion>> = {
  '1.30': { standardSupportEnd: '2025-07-23', extendedSupportEnd: '2026-07-23', ebsCsiAddon: 'v1.38.1-eksbuild.1', source: `${CALENDAR_2025}; add-on pinned in ADR 0013` },
  '1.31': { standardSupportEnd: '2025-11-26', extendedSupportEnd: '2026-11-26', ebsCsiAddon: 'v1.45.0-eksbuild.2', source: `${CALENDAR_2025}; add-on pinned in ADR 0013` },
  '1.32': { standardSupportEnd: '2026-03-23', extendedSupportEnd: '2027-03-23', ebsCsiAddon: 'v1.45.0-eksbuild.2', source: `${CALENDAR_2025}; add-on pinned in ADR 0013` },
  // From 1.33 on, no exact eksbuild of the add-on could be confirmed offline: EKS's default for the version.
  '1.33': { standardSupportEnd: '2026-07-29', extendedSupportEnd: '2027-07-29', ebsCsiAddon: EKS_DEFAULT_ADDON_VERSION, source: CALENDAR_2025 },
  '1.34': { standardSupportEnd: '2026-12-02', extendedSupportEnd: '2027-12-02', ebsCsiAddon: EKS_DEFAULT_ADDON_VERSION, source: CALENDAR_2026 },
  '1.35': { standardSupportEnd: '2027-03-27', extendedSupportEnd: '2028-03-27', ebsCsiAddon: EKS_DEFAULT_ADDON_VERSION, source: CALENDAR_2026 },
  // On EKS since June 2026 (EKS release notes, "Kubernetes 1.36 is now available in Amazon EKS"),
  // but its support dates could not be confirmed: without them the version check refuses it.
  '1.36': { ebsCsiAddon: EKS_DEFAULT_ADDON_VERSION, source: 'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html#kubernetes-1-36 ("Kubernetes 1.36 is now available in Amazon EKS"), read 2026-12-04; support dates NOT confirmed' },
};

/** The default of `eks.kubernetesVersion` and of the prod stack: the newest version in standard support with confirmed dates. */
export const DEFAULT_EKS_KUBERNETES_VERSION = '1.35';

export function eksKubernetesVersion(version: string): EksKubernetesVersion | undefined {
  return Object.hasOwn(EKS_KUBERNETES_VERSIONS, version) ? EKS_KUBERNETES_VERSIONS[version] : undefined;
}

function windowOf(entry: EksKubernetesVersion | undefined): SupportWindow | undefined {
  return entry?.standardSupportEnd !== undefined && entry.extendedSupportEnd !== undefined ? { standardSupportEnd: entry.standardSupportEnd, extendedSupportEnd: entry.extendedSupportEnd } : undefined;
}

/** Where an EKS Kubernetes version stands on `today` (UTC). */
export function supportState(version: string, today: Date): SupportState {
  return supportStateOn(windowOf(eksKubernetesVersion(version)), today);
}

/** The version's support window, when the table has both dates. */
export function eksSupportWindow(version: string): SupportWindow | undefined {
  return windowOf(eksKubernetesVersion(version));
}

/** Versions in the table, oldest first. */
export function knownEksVersions(): string[] {
  return Object.keys(EKS_KUBERNETES_VERSIONS).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

/**
 * The EKS upgrade policy for a version in this state. STANDARD while the version is in standard
 * support, so the cluster is never put on paid extended support silently (EKS upgrades it at the
 * end of standard support instead). EXTENDED once it is in extended support: EKS cannot set
 * STANDARD on a cluster that has entered extended support, and with STANDARD it would upgrade the
 * control plane on its own, behind the stack file's back (ADR 0015).
 */
export function upgradeSupportType(state: SupportState): 'STANDARD' | 'EXTENDED' {
  if (state === 'standard') return 'STANDARD';
  if (state === 'extended') return 'EXTENDED';
  throw new Error(`no upgrade policy for a Kubernetes version whose support state is "${state}": the version check refuses it before anything is created`);
}
