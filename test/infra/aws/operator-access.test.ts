/**
 * How `pulumi up` and operators reach the shipped EKS stack's private API endpoint, from the
 * real program under Pulumi's mocks: the VPC attached to the declared transit gateway, a route
 * per private route table to each declared network, and the cluster security group admitting
 * the operator networks on 443 only.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compareText } from '../../../config/compare.ts';
import { one, ofType, runShippedStack, type ProgramRun } from '../support/program-run.ts';

let run: ProgramRun;
beforeAll(async () => {
  run = await runShippedStack('prod');
}, 120_000);

const eks = () => run.spec.platform.eks!;
const ATTACHMENT = 'aws:ec2transitgateway/vpcAttachment:VpcAttachment';
const ROUTE = 'aws:ec2/route:Route';
const INGRESS = 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule';

describe('stack prod: reaching the private API endpoint', () => {
  it('keeps the endpoint private and lists operator networks that are routed', () => {
    const cluster = one(run.plan, 'eks:index:Cluster', 'eks').inputs;
    expect(cluster.endpointPrivateAccess).toBe(true);
    expect(cluster.endpointPublicAccess).toBe(false);
    expect(eks().operatorCidrs.length).toBeGreaterThan(0);
  });

  it('admits each operator network on 443 on the cluster security group, and no other address range', () => {
    const rules = ofType(run.plan, INGRESS).filter((r) => r.inputs.securityGroupId === 'sg-0mockcluster' && r.inputs.cidrIpv4 !== undefined);
    expect(rules.map((r) => r.inputs)).toEqual(
      eks().operatorCidrs.map((cidr) => ({ securityGroupId: 'sg-0mockcluster', cidrIpv4: cidr, ipProtocol: 'tcp', fromPort: 443, toPort: 443, description: `Kubernetes API from operator network ${cidr}`, tags: expect.any(Object) })),
    );
    for (const rule of rules) expect(rule.parent).toEqual({ type: 'paddock:aws:EksCluster', name: run.spec.platform.clusterName });
  });

  it('attaches the VPC to each declared transit gateway in every private subnet', () => {
    const gateways = [...new Set(eks().routes.map((r) => r.transitGatewayId))].sort();
    const attachments = ofType(run.plan, ATTACHMENT);
    expect(attachments.map((a) => a.inputs.transitGatewayId).sort()).toEqual(gateways);
    const privateSubnets = ofType(run.plan, 'aws:ec2/subnet:Subnet').filter((s) => s.name.startsWith('private-')).sort((a, b) => compareText(a.name, b.name)).map((s) => `${s.name}-mock-id`);
    for (const attachment of attachments) {
      expect(attachment.inputs.vpcId).toBe('vpc-mock-id');
      expect(attachment.inputs.subnetIds).toEqual(privateSubnets);
      expect(attachment.parent).toEqual({ type: 'paddock:aws:Network', name: 'network' });
    }
  });

  it('routes each declared network from every private route table through its transit gateway, after the attachment', () => {
    const routes = ofType(run.plan, ROUTE).filter((r) => r.inputs.transitGatewayId !== undefined);
    const zones = eks().availabilityZones;
    expect(routes).toHaveLength(eks().routes.length * zones);
    eks().routes.forEach((declared, r) => {
      for (let zone = 0; zone < zones; zone++) {
        const route = one(run.plan, ROUTE, `route-${r}-private-${zone}`);
        expect(route.inputs).toEqual({ routeTableId: `private-${zone}-mock-id`, destinationCidrBlock: declared.cidr, transitGatewayId: declared.transitGatewayId });
        expect(route.options!.dependsOn).toEqual([{ type: ATTACHMENT, name: declared.transitGatewayId }]);
      }
    });
    // the default route still goes to the NAT gateways; the public subnets get no private routes
    expect(ofType(run.plan, ROUTE).filter((r) => r.inputs.destinationCidrBlock === '0.0.0.0/0' && r.inputs.transitGatewayId !== undefined)).toEqual([]);
  });
});
