/**
 * The "Versions" section of `paddock plan`: what the stack runs, where each version stands on the
 * day of the plan, and what follows from it (the EKS upgrade policy, the add-on, the RDS minor
 * upgrades). Pure: the day comes from the caller (ADR 0015).
 */
import type { PlatformSettings } from '../../config/platform-spec.ts';
import { utcDay } from '../../config/versions/calendar.ts';
import { DEFAULT_KIND_NODE, KIND_NODE_IMAGES } from '../../config/versions/container-images.ts';
import { EKS_DEFAULT_ADDON_VERSION, eksKubernetesVersion, supportState, upgradeSupportType } from '../../config/versions/eks-kubernetes-versions.ts';
import { parseEngineVersion, rdsPostgresMajor } from '../../config/versions/rds-postgres-versions.ts';

function eksLines(platform: PlatformSettings, today: Date): string[] {
  const version = platform.eks!.kubernetesVersion;
  const entry = eksKubernetesVersion(version);
  const state = supportState(version, today);
  if (!entry || (state !== 'standard' && state !== 'extended')) return [`  Kubernetes ${version} on EKS: ${state} (the version check refuses it)`];
  const window = state === 'standard' ? `standard support until ${entry.standardSupportEnd}, extended until ${entry.extendedSupportEnd}` : `EXTENDED support (billed per cluster hour) until ${entry.extendedSupportEnd}`;
  const addon = entry.ebsCsiAddon === EKS_DEFAULT_ADDON_VERSION ? `the version EKS names default for ${version} (read at \`pulumi up\`)` : entry.ebsCsiAddon;
  return [`  Kubernetes ${version} on EKS: ${window}; upgrade policy ${upgradeSupportType(state)}`, `  aws-ebs-csi-driver add-on: ${addon}`];
}

function databaseLines(platform: PlatformSettings): string[] {
  const db = platform.database;
  if (db.mode === 'in-cluster') return [`  PostgreSQL in the cluster: ${db.image}`];
  const parsed = parseEngineVersion(db.engineVersion);
  const major = parsed ? rdsPostgresMajor(parsed.major) : undefined;
  const which = parsed?.minor === undefined ? `${db.engineVersion}, at the minor RDS creates${major ? ` (AWS creates ${major.oldestCreatableMinor} and later)` : ''}` : db.engineVersion;
  const upgrades = db.autoMinorVersionUpgrade ? `automatic minor upgrades in ${db.maintenanceWindow} UTC` : `minor upgrades off (pinned; maintenance in ${db.maintenanceWindow} UTC)`;
  return [`  PostgreSQL on RDS: ${which}; ${upgrades}; backups ${db.backupWindow} UTC`];
}

function kindLines(platform: PlatformSettings): string[] {
  const image = platform.kind!.nodeImage;
  const known = Object.entries(KIND_NODE_IMAGES).find(([, entry]) => entry.image === image);
  return [`  kind node image: ${image}${known ? ` (Kubernetes ${known[0]}, kind ${known[1].kindRelease})` : ` (not one of config/versions/container-images.ts; the default is ${DEFAULT_KIND_NODE.image})`}`];
}

export function versionSummary(platform: PlatformSettings, today: Date): string[] {
  return [
    `  checked on ${utcDay(today)} against config/versions/`,
    ...(platform.eks ? eksLines(platform, today) : []),
    ...(platform.kind ? kindLines(platform) : []),
    ...databaseLines(platform),
  ];
}
