/**
 * Runs the real Pulumi program (infra/program.ts) in-process under `pulumi.runtime.setMocks`
 * and records every resource it registers: type, name, parent, inputs (secrets still marked),
 * and the stack outputs. Nothing is contacted: no cloud, no cluster, no Pulumi service. The
 * Pulumi runtime is process-global, so run one plan per process.
 */
import * as pulumi from '@pulumi/pulumi';
import { paddockProgram } from '../program.ts';
import { PROJECT } from '../inputs/pulumi-config.ts';
import { paddockMocks, type RecordedResource } from './mocks.ts';

export interface ResourceRef {
  readonly type: string;
  readonly name: string;
}

/** The resource options that matter for review and tests (mocks never see options). */
export interface PlannedOptions {
  readonly protect?: boolean;
  readonly deleteBeforeReplace?: boolean;
  readonly additionalSecretOutputs?: readonly string[];
  /** explicit dependencies (resources known when the resource was declared) */
  readonly dependsOn: readonly ResourceRef[];
}

export interface PlannedResource extends RecordedResource {
  /** the component it is created under; undefined for the stack itself */
  readonly parent?: ResourceRef;
  readonly options?: PlannedOptions;
}

export interface PlannedOutput {
  readonly name: string;
  readonly value: unknown;
  readonly secret: boolean;
}

export interface OfflinePlan {
  readonly stack: string;
  readonly resources: readonly PlannedResource[];
  readonly outputs: readonly PlannedOutput[];
}

export interface OfflinePlanOptions {
  readonly stack: string;
  /** Pulumi config as the engine passes it: "namespace:key" -> value (objects as JSON text) */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys: readonly string[];
  /** AWS region the mocks answer for (availability zones, ARNs) */
  readonly region: string;
  /** the day the program checks the versions on (default: now) */
  readonly today?: Date;
  /** where the program's version warnings go (default: nowhere; `paddock plan` prints its own) */
  readonly warn?: (line: string) => void;
}

export const STACK_TYPE = 'pulumi:pulumi:Stack';

function refOf(resource: pulumi.Resource): ResourceRef {
  return { type: pulumi.resourceType(resource), name: pulumi.resourceName(resource) };
}

export async function runOfflinePlan(options: OfflinePlanOptions): Promise<OfflinePlan> {
  const recorded: RecordedResource[] = [];
  await pulumi.runtime.setMocks(paddockMocks((r) => recorded.push(r), options.region), PROJECT, options.stack, false);
  pulumi.runtime.setAllConfig({ ...options.config }, [...options.secretKeys]);

  const parents = new Map<string, ResourceRef>();
  const resourceOptions = new Map<string, PlannedOptions>();
  const secretOutputs = new Set<string>();
  const values = await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      const key = `${args.type}::${args.name}`;
      const opts = args.opts as pulumi.CustomResourceOptions;
      if (opts.urn !== undefined) return undefined; // an existing resource rehydrated from a reference, not a new one
      if (opts.parent) parents.set(key, refOf(opts.parent));
      const dependsOn = opts.dependsOn === undefined ? [] : Array.isArray(opts.dependsOn) ? opts.dependsOn : [opts.dependsOn];
      resourceOptions.set(key, {
        ...(opts.protect === undefined ? {} : { protect: opts.protect }),
        ...(opts.deleteBeforeReplace === undefined ? {} : { deleteBeforeReplace: opts.deleteBeforeReplace }),
        ...(opts.additionalSecretOutputs === undefined ? {} : { additionalSecretOutputs: [...opts.additionalSecretOutputs] }),
        dependsOn: dependsOn.filter((d): d is pulumi.Resource => pulumi.Resource.isInstance(d)).map(refOf),
      });
      return undefined;
    });
    const today = options.today;
    // the plan's caller reports the version warnings (paddock plan prints them once, on stderr)
    const outputs = await paddockProgram({ warn: options.warn ?? (() => undefined), ...(today === undefined ? {} : { now: () => today }) });
    for (const [name, value] of Object.entries(outputs)) {
      if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value))) secretOutputs.add(name);
    }
    return outputs;
  });
  // as `pulumi up` does: wait until every registration the program started has completed
  await pulumi.runtime.disconnect();

  const stackName = `${PROJECT}-${options.stack}`;
  const resources = recorded.map((r): PlannedResource => {
    if (r.type === STACK_TYPE) return r;
    const key = `${r.type}::${r.name}`;
    const planned = resourceOptions.get(key);
    return { ...r, parent: parents.get(key) ?? { type: STACK_TYPE, name: stackName }, ...(planned ? { options: planned } : {}) };
  });
  const outputs = Object.entries(values ?? {}).map(([name, value]) => ({ name, value: value as unknown, secret: secretOutputs.has(name) }));
  return { stack: options.stack, resources, outputs };
}
