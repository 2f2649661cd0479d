import { describe, expect, it } from 'vitest';
import { cidrContains, cidrsOverlap, parseCidr } from '../../../config/cidr.ts';
import { planSubnets } from '../../../infra/aws/subnet-plan.ts';

describe('planSubnets', () => {
  it('cuts a /16 into /19 private subnets and /22 public ones at the top', () => {
    expect(planSubnets('10.0.0.0/16', 3)).toEqual({
      private: ['10.0.0.0/19', '10.0.32.0/19', '10.0.64.0/19'],
      public: ['10.0.224.0/22', '10.0.228.0/22', '10.0.232.0/22'],
    });
  });

  it('keeps every subnet inside the VPC and apart from the others, for any zone count', () => {
    for (const vpc of ['10.0.0.0/16', '172.16.0.0/18', '192.168.0.0/22']) {
      for (let zones = 1; zones <= 7; zones++) {
        const plan = planSubnets(vpc, zones);
        const all = [...plan.private, ...plan.public].map((c) => parseCidr(c)!);
        expect(plan.private).toHaveLength(zones);
        expect(plan.public).toHaveLength(zones);
        for (const subnet of all) expect(cidrContains(parseCidr(vpc)!, subnet)).toBe(true);
        for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) expect(cidrsOverlap(all[i]!, all[j]!)).toBe(false);
      }
    }
  });

  it('refuses a VPC the plan does not fit and an impossible zone count', () => {
    expect(() => planSubnets('10.0.0.0/24', 2)).toThrow('the prefix must be /16 to /22');
    expect(() => planSubnets('10.0.0.0/16', 8)).toThrow('between 1 and 7 availability zones');
  });
});
