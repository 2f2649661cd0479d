/** The runtime Deployment with the in-cluster gateway: the admin Secret mounted for the key reconciler (ADR 0025), and not without it. */
import { describe, expect, it } from 'vitest';
import { runtimeControllerObjects } from '../../../charts-synth/charts/runtime-controller.ts';
import { runtimeConfigSchema } from '../../../config/runtime-config.ts';
import { minimalKindConfig, shippedSpec, team, validate } from '../../support/fixtures.ts';

type Json = Record<string, any>;
const deploymentOf = (objects: readonly Json[]) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'paddock-runtime')!;
const configOf = (objects: readonly Json[]) => runtimeConfigSchema.parse(JSON.parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'paddock-runtime-config')!.data['config.json']));

describe('runtime controller and the gateway admin Secret', () => {
  it('mounts paddock-gateway-admin read-only and names its directory when Paddock runs the gateway', () => {
    for (const stack of ['local', 'prod'] as const) {
      const objects = runtimeControllerObjects(shippedSpec(stack)) as unknown as Json[];
      const pod = deploymentOf(objects).spec.template.spec;
      const container = pod.containers[0];
      expect(container.env).toContainEqual({ name: 'PADDOCK_GATEWAY_ADMIN_DIR', value: '/etc/paddock/gateway-admin' });
      expect(container.volumeMounts).toContainEqual({ mountPath: '/etc/paddock/gateway-admin', name: 'gateway-admin', readOnly: true });
      expect(pod.volumes).toContainEqual({ name: 'gateway-admin', secret: { defaultMode: 0o440, secretName: 'paddock-gateway-admin' } });
      // the ConfigMap says what to reconcile, never a key
      const config = configOf(objects);
      expect(config.gatewayKeys?.teams.map((t) => t.name)).toEqual(config.teams.map((t) => t.name));
      expect(JSON.stringify(config)).not.toMatch(/sk-/);
    }
  });

  it('mounts nothing of the gateway with a gateway Paddock does not run', () => {
    const objects = runtimeControllerObjects(validate(minimalKindConfig([team('web')]))) as unknown as Json[];
    const pod = deploymentOf(objects).spec.template.spec;
    expect(JSON.stringify(pod)).not.toContain('gateway-admin');
    expect(configOf(objects).gatewayKeys).toBeUndefined();
  });
});
