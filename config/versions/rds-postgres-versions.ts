/**
 * RDS for PostgreSQL engine versions Paddock creates, as data: per major version, the oldest
 * minor AWS still lets anyone create, from the day AWS stopped creating older ones. Read by the
 * version check (config/versions/version-check.ts); never fetched at synth or run time.
 *
 * Keeping it current: when AWS announces that minors reach end of standard support, add the new
 * floor from the announcement or from
 *   https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html
 *   `aws rds describe-db-engine-versions --engine postgres --query 'DBEngineVersions[].EngineVersion'`
 * with its source and the day it was read (ADR 0015).
 */

export interface RdsPostgresMajor {
  /** the oldest minor AWS creates, e.g. "17.7" */
  readonly oldestCreatableMinor: string;
  /** the UTC day from which older minors can no longer be created */
  readonly olderMinorsBlockedFrom: string;
  readonly source: string;
}

const MAY_2026_NOTICE =
  'AWS Health notice "RDS for PostgreSQL minor versions reach end of standard support on May 31, 2026": new instances on 14.14-14.17, 15.9-15.12, 16.5-16.8, 17.1-17.4 cannot be created from May 1, 2026; instances are upgraded to 14.20, 15.15, 16.11, 17.7 or higher (quoted in https://github.com/saayam-for-all/database/wiki/AWS-RDS-instances-%E2%80%90-Health-Checks and https://lucaberton.com/blog/aws-rds-postgresql-minor-version-deprecation-may-2026/; not found on docs.aws.amazon.com offline), read 2026-12-04';

export const RDS_POSTGRES_MAJORS: Readonly<Record<string, RdsPostgresMajor>> = {
  // Minors between a blocked range and the upgrade target (16.9, 16.10, 17.5, 17.6) are not named by
  // the notice; the floor is the upgrade target AWS names, so nothing refused here can be created.
  '16': { oldestCreatableMinor: '16.11', olderMinorsBlockedFrom: '2026-05-01', source: MAY_2026_NOTICE },
  '17': { oldestCreatableMinor: '17.7', olderMinorsBlockedFrom: '2026-05-01', source: MAY_2026_NOTICE },
};

/**
 * The default `database.engineVersion`: the major only. RDS creates its default minor of 17 (one
 * it creates today) and, with automatic minor upgrades on, moves it to newer minors in the
 * maintenance window without the stack file fighting it (ADR 0015).
 */
export const DEFAULT_RDS_POSTGRES_VERSION = '17';

export interface ParsedEngineVersion {
  readonly major: string;
  readonly minor?: number;
}

export function parseEngineVersion(version: string): ParsedEngineVersion | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(version);
  if (!match) return undefined;
  return match[2] === undefined ? { major: match[1]! } : { major: match[1]!, minor: Number(match[2]) };
}

export function rdsPostgresMajor(major: string): RdsPostgresMajor | undefined {
  return Object.hasOwn(RDS_POSTGRES_MAJORS, major) ? RDS_POSTGRES_MAJORS[major] : undefined;
}

/** "16.4" is below the floor "16.11" (numeric, not text, comparison). */
export function isBelowCreatableFloor(version: ParsedEngineVersion, major: RdsPostgresMajor): boolean {
  if (version.minor === undefined) return false;
  return version.minor < parseEngineVersion(major.oldestCreatableMinor)!.minor!;
}
