/** Shared zod building blocks for stack config and harness definitions. */
import { z } from 'zod';
import { isCidr } from './cidr.ts';
import { isQuantity, compareQuantities } from './quantity.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** registry/repo:tag or @sha256 digest; `latest` and untagged images are rejected. */
const PINNED_IMAGE = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

export const quoted = (value: unknown): string => JSON.stringify(value) ?? String(value);

export function dns1123Label(maxLength = 63) {
  return z.string().check((ctx) => {
    const value = ctx.value;
    if (!DNS1123_LABEL.test(value)) {
      ctx.issues.push({ code: 'custom', input: value, message: `${quoted(value)} is not a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit)` });
    } else if (value.length > maxLength) {
      ctx.issues.push({ code: 'custom', input: value, message: `${quoted(value)} is longer than ${maxLength} characters` });
    }
  });
}

export const dns1123Subdomain = z.string().refine((v) => DNS1123_SUBDOMAIN.test(v) && v.length <= 253, {
  error: (issue) => `${quoted(issue.input)} is not a DNS-1123 subdomain`,
});

export const envName = z.string().refine((v) => ENV_NAME.test(v), {
  error: (issue) => `${quoted(issue.input)} is not a valid environment variable name (letters, digits and "_", not starting with a digit)`,
});

export const pinnedImage = z.string().check((ctx) => {
  const value = ctx.value;
  const lastSegment = value.split('/').at(-1) ?? '';
  if (!PINNED_IMAGE.test(value)) {
    ctx.issues.push({ code: 'custom', input: value, message: `${quoted(value)} is not a valid image reference` });
  } else if (!lastSegment.includes(':') && !value.includes('@sha256:')) {
    ctx.issues.push({ code: 'custom', input: value, message: `${quoted(value)} is not pinned: add a version tag or a digest` });
  } else if (/:latest(@|$)/.test(value)) {
    ctx.issues.push({ code: 'custom', input: value, message: `${quoted(value)} uses the mutable tag "latest": pin a version tag or a digest` });
  }
});

/** Quantities may be written as YAML numbers (`cpu: 2`); they are normalised to strings. */
export const quantity = z
  .union([z.string(), z.number().nonnegative()])
  .transform((v) => String(v))
  .refine((v) => isQuantity(v), { error: (issue) => `${quoted(issue.input)} is not a Kubernetes quantity (e.g. "500m", "2", "1Gi")` });

export const cidr = z.string().refine((v) => isCidr(v), {
  error: (issue) => `${quoted(issue.input)} is not an IPv4 CIDR with its host bits zero (e.g. "203.0.113.0/24")`,
});

export const port = z.number().int().min(1).max(65535);

export const resourceList = z.strictObject({ cpu: quantity, memory: quantity });

export const resources = z
  .strictObject({ requests: resourceList, limits: resourceList })
  .superRefine((value, ctx) => {
    for (const key of ['cpu', 'memory'] as const) {
      if (compareQuantities(value.requests[key], value.limits[key]) > 0) {
        ctx.addIssue({ code: 'custom', path: ['requests', key], message: `request ${value.requests[key]} exceeds the limit ${value.limits[key]}` });
      }
    }
  });

export type ResourceList = z.output<typeof resourceList>;
export type Resources = z.output<typeof resources>;
