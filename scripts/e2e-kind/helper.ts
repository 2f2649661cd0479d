/**
 * The parts of scripts/e2e-kind.sh that read JSON or the stack file (I/O edge over
 * session-events.ts and the config modules). Answers on stdout, problems on stderr:
 *
 *   stack-exists STACK          stdin: `pulumi stack ls --json`; exit 0 if STACK exists, else 1
 *   cluster-name STACK          the kind cluster of stacks/Pulumi.STACK.yaml
 *   kind-release STACK          the kind release that published the stack's node image, if recorded
 *   images STACK                the images the stack loads into kind, each with its Dockerfile
 *                               ("<image> <dockerfile>" per line)
 *   missing-secrets STACK       `paddock:teamSecrets.<team>.<NAME>` of each declared secret without a value,
 *                               and `paddock:gatewaySecrets.<NAME>` of each gateway provider key without one
 *   session-id                  stdin: POST /v1/sessions answer
 *   turn-number                 stdin: POST messages answer
 *   turn-verdict TURN EXPECTED  stdin: GET events answer; exit 0 when the turn ended with
 *                               end_turn and a reply containing EXPECTED, 3 while it runs, 1 otherwise
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config/errors.ts';
import { loadPlatformSpec, readStackFile } from '../../config/stack-file.ts';
import { loadHarnessRegistry } from '../../harnesses/registry.ts';
import { missingTeamSecrets, TEAM_SECRETS_KEY } from '../../infra/inputs/team-secrets.ts';
import { GATEWAY_SECRETS_KEY, missingGatewaySecrets } from '../../infra/inputs/gateway-secrets.ts';
import { locallyBuiltImages } from '../../infra/kind/images.ts';
import { KIND_NODE_IMAGES } from '../../config/versions/container-images.ts';
import { hasStack, sessionIdOf, turnNumberOf, turnVerdict } from './session-events.ts';

const STILL_RUNNING = 3;

function stdin(): string {
  return readFileSync(0, 'utf8');
}

function stackSpec(stack: string) {
  return loadPlatformSpec(stackPath(stack), loadHarnessRegistry());
}

function stackPath(stack: string): string {
  return `stacks/Pulumi.${stack}.yaml`;
}

function run(args: readonly string[]): number {
  const [command, ...rest] = args;
  switch (command) {
    case 'stack-exists':
      return hasStack(stdin(), rest[0]!) ? 0 : 1;
    case 'cluster-name':
      process.stdout.write(`${stackSpec(rest[0]!).platform.clusterName}\n`);
      return 0;
    case 'kind-release': {
      const nodeImage = stackSpec(rest[0]!).platform.kind?.nodeImage;
      const recorded = Object.values(KIND_NODE_IMAGES).find((entry) => entry.image === nodeImage);
      if (recorded) process.stdout.write(`${recorded.kindRelease}\n`);
      return 0;
    }
    case 'images': {
      const spec = stackSpec(rest[0]!);
      const dockerfiles = new Map<string, string>([[spec.platform.runtime.image, 'runtime/Dockerfile']]);
      for (const team of spec.teams) for (const harness of team.harnesses) dockerfiles.set(harness.definition.image, `harnesses/${harness.name}/Dockerfile`);
      for (const image of locallyBuiltImages(spec)) process.stdout.write(`${image} ${dockerfiles.get(image) ?? '?'}\n`);
      return 0;
    }
    case 'missing-secrets': {
      // an encrypted value (`secure:`) counts as set: it is never decrypted here
      const spec = stackSpec(rest[0]!);
      const config = readStackFile(stackPath(rest[0]!)).config;
      for (const { team, name } of missingTeamSecrets(config[TEAM_SECRETS_KEY], spec.teams)) process.stdout.write(`${TEAM_SECRETS_KEY}.${team}.${name}\n`);
      // the in-cluster gateway's provider keys: the scripted harness calls no model, so a placeholder will do
      for (const name of missingGatewaySecrets(config[GATEWAY_SECRETS_KEY], spec)) process.stdout.write(`${GATEWAY_SECRETS_KEY}.${name}\n`);
      return 0;
    }
    case 'session-id':
      process.stdout.write(`${sessionIdOf(stdin())}\n`);
      return 0;
    case 'turn-number':
      process.stdout.write(`${turnNumberOf(stdin())}\n`);
      return 0;
    case 'turn-verdict': {
      const [turn, expected = ''] = rest;
      const verdict = turnVerdict(stdin(), Number(turn));
      if (verdict.state === 'pending') return STILL_RUNNING;
      const problems = [
        ...(verdict.stopReason === 'end_turn' ? [] : [`the turn ended with ${verdict.stopReason}, not end_turn`]),
        ...verdict.errors.map((e) => `error event ${e}`),
        ...(verdict.reply.includes(expected) ? [] : [`the reply ${JSON.stringify(verdict.reply)} does not contain ${JSON.stringify(expected)}`]),
      ];
      if (problems.length > 0) {
        process.stderr.write(`${problems.join('\n')}\n`);
        return 1;
      }
      process.stdout.write(`${verdict.reply}\n`);
      return 0;
    }
    default:
      process.stderr.write(`e2e-kind helper: unknown command ${JSON.stringify(command)}\n`);
      return 2;
  }
}

try {
  process.exitCode = run(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.lines.join('\n') : error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
