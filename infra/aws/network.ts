/**
 * The VPC of an EKS stack, from raw @pulumi/aws resources so every piece is visible in review:
 * one private and one public subnet per availability zone (subnet-plan.ts), an internet
 * gateway for the public subnets only, NAT gateways for the private ones (one per zone for
 * production stacks, one shared otherwise), routes to the declared networks through their
 * transit gateways (eks.routes), and a default security group stripped of all rules. Nothing launched in a public subnet gets a public IP unless it asks for one.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { EksSpec } from '../../config/platform-spec.ts';
import { planSubnets } from './subnet-plan.ts';

export interface NetworkArgs {
  readonly clusterName: string;
  readonly eks: EksSpec;
  readonly tags: Readonly<Record<string, string>>;
}

export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly availabilityZones: pulumi.Output<string>[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('paddock:aws:Network', name, {}, opts);
    const { eks, clusterName } = args;
    const tag = (extra: Record<string, string>, suffix: string) => ({ ...args.tags, ...extra, Name: `${clusterName}-${suffix}` });
    const plan = planSubnets(eks.vpcCidr, eks.availabilityZones);
    const zones = aws.getAvailabilityZonesOutput({ state: 'available', filters: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }] }, { parent: this }).names.apply((names) => {
      if (names.length < eks.availabilityZones) throw new Error(`region ${eks.region} has ${names.length} available zone(s); paddock:platform.eks.availabilityZones asks for ${eks.availabilityZones}`);
      return [...names].sort().slice(0, eks.availabilityZones);
    });
    this.availabilityZones = plan.private.map((_, i) => zones.apply((z) => z[i]!));

    const vpc = new aws.ec2.Vpc('vpc', { cidrBlock: eks.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tag({}, 'vpc') }, { parent: this });
    this.vpcId = vpc.id;
    // CIS AWS 5.4: the default security group allows nothing
    new aws.ec2.DefaultSecurityGroup('default-security-group', { vpcId: vpc.id, ingress: [], egress: [], tags: tag({}, 'default-deny') }, { parent: this });

    const internetGateway = new aws.ec2.InternetGateway('internet-gateway', { vpcId: vpc.id, tags: tag({}, 'igw') }, { parent: this });
    const publicRoutes = new aws.ec2.RouteTable('public', { vpcId: vpc.id, tags: tag({}, 'public') }, { parent: this });
    new aws.ec2.Route('public-default', { routeTableId: publicRoutes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: internetGateway.id }, { parent: this });

    const publicSubnets = plan.public.map((cidr, i) => {
      const subnet = new aws.ec2.Subnet(
        `public-${i}`,
        { vpcId: vpc.id, cidrBlock: cidr, availabilityZone: this.availabilityZones[i]!, mapPublicIpOnLaunch: false, tags: tag({ 'kubernetes.io/role/elb': '1', 'paddock.dev/tier': 'public' }, `public-${i}`) },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(`public-${i}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, { parent: this });
      return subnet;
    });

    // Production: a NAT gateway per zone, so losing a zone never cuts the others off; otherwise one.
    const natCount = eks.production ? publicSubnets.length : 1;
    const natGateways = publicSubnets.slice(0, natCount).map((subnet, i) => {
      const address = new aws.ec2.Eip(`nat-${i}`, { domain: 'vpc', tags: tag({}, `nat-${i}`) }, { parent: this });
      return new aws.ec2.NatGateway(`nat-${i}`, { subnetId: subnet.id, allocationId: address.id, connectivityType: 'public', tags: tag({}, `nat-${i}`) }, { parent: this, dependsOn: [internetGateway] });
    });

    const privateRouteTables: aws.ec2.RouteTable[] = [];
    const privateSubnets = plan.private.map((cidr, i) => {
      const subnet = new aws.ec2.Subnet(
        `private-${i}`,
        { vpcId: vpc.id, cidrBlock: cidr, availabilityZone: this.availabilityZones[i]!, mapPublicIpOnLaunch: false, tags: tag({ 'kubernetes.io/role/internal-elb': '1', 'paddock.dev/tier': 'private' }, `private-${i}`) },
        { parent: this },
      );
      const routes = new aws.ec2.RouteTable(`private-${i}`, { vpcId: vpc.id, tags: tag({}, `private-${i}`) }, { parent: this });
      new aws.ec2.Route(`private-${i}-default`, { routeTableId: routes.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: natGateways[i % natGateways.length]!.id }, { parent: this });
      new aws.ec2.RouteTableAssociation(`private-${i}`, { subnetId: subnet.id, routeTableId: routes.id }, { parent: this });
      privateRouteTables.push(routes);
      return subnet;
    });

    // Declared networks (operators, a private model gateway) are reached through their transit
    // gateway: the VPC is attached to it in every private subnet, then each private route table
    // sends the network there. The transit gateway's own route tables must send the VPC's range
    // back to this attachment (default association and propagation do).
    const attachments = new Map<string, aws.ec2transitgateway.VpcAttachment>();
    for (const transitGatewayId of [...new Set(eks.routes.map((r) => r.transitGatewayId))].sort()) {
      attachments.set(
        transitGatewayId,
        new aws.ec2transitgateway.VpcAttachment(
          transitGatewayId,
          { transitGatewayId, vpcId: vpc.id, subnetIds: privateSubnets.map((s) => s.id), dnsSupport: 'enable', tags: tag({}, `tgw-${transitGatewayId}`) },
          { parent: this },
        ),
      );
    }
    eks.routes.forEach((route, r) =>
      privateRouteTables.forEach(
        (table, i) =>
          new aws.ec2.Route(
            `route-${r}-private-${i}`,
            { routeTableId: table.id, destinationCidrBlock: route.cidr, transitGatewayId: route.transitGatewayId },
            { parent: this, dependsOn: [attachments.get(route.transitGatewayId)!] },
          ),
      ),
    );

    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
  }
}
